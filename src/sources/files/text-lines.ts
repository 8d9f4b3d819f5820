/**
 * The text lines of an input (plain or gzip), for the line-based readers: each line decoded
 * as UTF-8 with its number, a leading byte-order mark skipped as most JSON readers skip it,
 * and a line longer than a limit counted but never held, so that a 600 MB single-line file
 * never becomes one string.
 */
import { decompressedChunks, type ByteSource } from './byte-source.js';
import { GzipError } from './gzip-data.js';

/** One line of text. */
export interface TextLine {
  /** From 1. */
  line: number;
  /** The line without its `\n`; undefined when it is longer than the limit. */
  text: string | undefined;
  /** Its length in bytes, without the `\n`. */
  bytes: number;
}

/** Splits chunks of bytes into lines, keeping the bytes of an unfinished line. */
class LineSplitter {
  /** Number of the line being read. */
  line = 1;
  private pieces: Buffer[] = [];
  private pending = 0;

  constructor(private readonly maxLineBytes: number) {}

  /** Whether a line has started and not ended. */
  get isInsideLine(): boolean {
    return this.pending > 0;
  }

  split(chunk: Uint8Array, out: TextLine[]): void {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let end = bytes.indexOf(10, start); end >= 0; end = bytes.indexOf(10, start)) {
      this.take(bytes.subarray(start, end));
      this.endLine(out);
      start = end + 1;
    }
    this.take(bytes.subarray(start));
  }

  /** Ends the last line, when the input does not end with a newline. */
  finish(out: TextLine[]): void {
    if (this.pending > 0) this.endLine(out);
  }

  private take(piece: Buffer): void {
    if (piece.length === 0) return;
    this.pending += piece.length;
    if (this.pending > this.maxLineBytes) this.pieces = [];
    else this.pieces.push(piece);
  }

  private endLine(out: TextLine[]): void {
    let text: string | undefined;
    if (this.pending <= this.maxLineBytes) {
      const pieces = this.pieces;
      text = (pieces.length === 1 ? pieces[0] : Buffer.concat(pieces)).toString('utf8');
      if (this.line === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    out.push({ line: this.line, text, bytes: this.pending });
    this.line++;
    this.pieces = [];
    this.pending = 0;
  }
}

/**
 * The lines of `source`, in batches (one per chunk read). Throws Node's file-system error
 * when the file cannot be read, and `GzipError` when its gzip stream is broken, after the
 * lines decoded before the fault, the one it cut included (the error names that line).
 */
export async function* readTextLines(
  source: ByteSource,
  maxLineBytes: number,
): AsyncGenerator<TextLine[]> {
  const splitter = new LineSplitter(maxLineBytes);
  try {
    for await (const chunk of decompressedChunks(source)) {
      const batch: TextLine[] = [];
      splitter.split(chunk, batch);
      if (batch.length > 0) yield batch;
    }
  } catch (error) {
    if (!(error instanceof GzipError)) throw error;
    const line = splitter.isInsideLine ? splitter.line : undefined;
    const last: TextLine[] = [];
    splitter.finish(last);
    if (last.length > 0) yield last;
    throw error.at({ uncompressedOffset: error.uncompressedOffset, line });
  }
  const last: TextLine[] = [];
  splitter.finish(last);
  if (last.length > 0) yield last;
}
