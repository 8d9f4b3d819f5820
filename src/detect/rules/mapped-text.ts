/**
 * Condition text that remembers where each character came from, so a parser position in a
 * condition (possibly appended to, or extended with exceptions) maps back to a file, line and
 * column. YAML scalars are aligned character by character with their source; where that is
 * impossible (escapes in double quotes) positions fall back to the scalar's start, and the
 * diagnostic says so.
 * @internal
 */
import type { ItemContext } from './context.js';
import type { YamlScalar } from './yaml-tree.js';

interface TextPiece {
  start: number;
  end: number;
  locate(index: number): ItemContext;
}

export class MappedText {
  private constructor(
    readonly text: string,
    private readonly pieces: readonly TextPiece[],
  ) {}

  /** Text that maps, whole, to one context (e.g. generated exception text). */
  static fixed(text: string, context: ItemContext): MappedText {
    return new MappedText(text, [{ start: 0, end: text.length, locate: () => context }]);
  }

  /** A YAML scalar's value, mapped into the file through `context`. */
  static fromScalar(node: YamlScalar, context: ItemContext): MappedText {
    let offsets: number[] | undefined | null = null;
    const locate = (index: number): ItemContext => {
      offsets ??= alignScalar(context.file.text, node);
      if (offsets === undefined)
        return context.at(node.offset, 'column is the start of the quoted value');
      if (index < offsets.length) return context.at(offsets[index] ?? node.offset);
      // Just past the last character, where "unexpected end" errors point.
      const last = offsets[offsets.length - 1];
      return context.at(last === undefined ? node.offset : last + 1);
    };
    return new MappedText(node.value, [{ start: 0, end: node.value.length, locate }]);
  }

  /** This text, then `separator` (mapped to nothing of its own), then `other`. */
  concat(separator: string, other: MappedText): MappedText {
    const shift = this.text.length + separator.length;
    const moved = other.pieces.map((piece) => ({
      ...piece,
      start: piece.start + shift,
      end: piece.end + shift,
    }));
    return new MappedText(this.text + separator + other.text, [...this.pieces, ...moved]);
  }

  /** `prefix` + this + `suffix`, the added text mapping to the nearest piece. */
  wrap(prefix: string, suffix: string): MappedText {
    const moved = this.pieces.map((piece) => ({
      ...piece,
      start: piece.start + prefix.length,
      end: piece.end + prefix.length,
    }));
    return new MappedText(prefix + this.text + suffix, moved);
  }

  /** Characters `start` to `end` (exclusive), still mapped to where they came from. */
  slice(start: number, end = this.text.length): MappedText {
    const pieces: TextPiece[] = [];
    for (const piece of this.pieces) {
      const from = Math.max(piece.start, start);
      const to = Math.min(piece.end, end);
      if (from >= to) continue;
      const skipped = from - piece.start;
      const locate = (index: number) => piece.locate(index + skipped);
      pieces.push({ start: from - start, end: to - start, locate });
    }
    return new MappedText(this.text.slice(start, end), pieces);
  }

  /** Without leading and trailing white space, as `String.trim` cuts it. */
  trim(): MappedText {
    const start = this.text.length - this.text.trimStart().length;
    return this.slice(start, Math.max(start, this.text.trimEnd().length));
  }

  /** The context of a character index; indexes between pieces go to the next piece. */
  locate(index: number): ItemContext | undefined {
    let chosen: TextPiece | undefined;
    for (const piece of this.pieces) {
      if (index < piece.end || chosen === undefined) chosen = piece;
      if (index < piece.end) break;
    }
    if (chosen === undefined) return undefined;
    const inner = Math.max(0, Math.min(index - chosen.start, chosen.end - chosen.start));
    return chosen.locate(inner);
  }
}

/**
 * For each character of a scalar's value, its offset in the file; undefined when the value
 * cannot be lined up with the source (double-quoted escapes).
 */
function alignScalar(source: string, node: YamlScalar): number[] | undefined {
  if (node.style === 'double' && source.slice(node.offset, node.end).includes('\\'))
    return undefined;
  const offsets: number[] = [];
  let cursor = contentStart(source, node);
  // Walk code units, not code points: indexes into the value count code units too.
  for (let index = 0; index < node.value.length; index++) {
    cursor = findSource(source, cursor, node.end, node.value.charAt(index));
    if (cursor < 0) return undefined;
    offsets.push(cursor);
    cursor++;
  }
  return offsets;
}

/** Where the value's characters begin: after the quote, or after a block header line. */
function contentStart(source: string, node: YamlScalar): number {
  if (node.style === 'single' || node.style === 'double') return node.offset + 1;
  if (node.style === 'literal' || node.style === 'folded') {
    const lineEnd = source.indexOf('\n', node.offset);
    return lineEnd < 0 ? node.end : lineEnd + 1;
  }
  return node.offset;
}

/**
 * The next source offset that produced `char`: the same character, or for a space or line
 * break in the value, any line break that folding turned into it.
 */
function findSource(source: string, from: number, end: number, char: string): number {
  for (let at = from; at < Math.max(end, from + 1) && at < source.length; at++) {
    const found = source[at];
    if (found === char) return at;
    if ((char === ' ' || char === '\n') && (found === '\n' || found === '\r')) return at;
  }
  return -1;
}
