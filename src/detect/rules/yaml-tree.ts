/**
 * Reads rule-file YAML into a small tree that keeps source offsets and treats values the way
 * Falco's yaml-cpp does: every scalar is its raw text, `~`/`null`/empty plain scalars are null,
 * duplicate keys are allowed (lookups take the first), aliases resolve to their anchors.
 * @internal
 */
import {
  parseAllDocuments,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import { missingCloser, unclosedMessage, unclosedOpening } from './yaml-unclosed.js';

type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

export type YamlNode = YamlNull | YamlScalar | YamlMap | YamlSeq;

interface NodeBase {
  /** Offset in the file where the node's text starts (for block scalars, the indicator). */
  offset: number;
}

interface YamlNull extends NodeBase {
  kind: 'null';
}

export interface YamlScalar extends NodeBase {
  kind: 'scalar';
  value: string;
  style: ScalarStyle;
  /** Offset just past the scalar's source text. */
  end: number;
}

interface YamlMap extends NodeBase {
  kind: 'map';
  entries: { key: YamlNode; value: YamlNode }[];
}

interface YamlSeq extends NodeBase {
  kind: 'seq';
  items: YamlNode[];
}

/** A YAML syntax error: message and offset. */
export interface YamlSyntaxError {
  message: string;
  offset: number;
}

/** All documents of a file, or the first syntax error. Empty documents come back as null. */
export function parseYamlDocuments(
  text: string,
): { ok: true; documents: (YamlNode | null)[] } | { ok: false; error: YamlSyntaxError } {
  const documents = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false });
  const list = Array.isArray(documents) ? documents : [];
  for (const document of list) {
    const problem = document.errors[0];
    if (problem !== undefined) return { ok: false, error: describeSyntaxError(text, problem) };
  }
  return { ok: true, documents: list.map((document) => convertDocument(document)) };
}

const INDENTATION = /[ \t]*/y;

/**
 * The parser's message without the position it appends (the diagnostic shows that), or the
 * real cause when the line starts with a tab (the parser often reports only what it found
 * after the tab) or when nesting exhausted the parser's stack. An unclosed bracket or quote is
 * placed where it was opened; any other error inside the file, never past its end.
 */
export function describeSyntaxError(text: string, problem: YAMLError): YamlSyntaxError {
  const offset = problem.pos[0];
  const closer = missingCloser(problem);
  const opening = closer === undefined ? undefined : unclosedOpening(text, closer, offset);
  if (closer !== undefined && opening !== undefined) {
    const atEnd = text.slice(offset).trim() === '';
    const stoppedAt = problem.linePos?.[0] ?? { line: 0, col: 0 };
    return { message: unclosedMessage(closer, atEnd, stoppedAt), offset: opening };
  }
  const described = describeOtherError(text, problem, offset);
  return { message: described.message, offset: insideText(text, described.offset) };
}

function describeOtherError(text: string, problem: YAMLError, offset: number): YamlSyntaxError {
  const lineStart = offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
  INDENTATION.lastIndex = lineStart;
  const indentation = INDENTATION.exec(text)?.[0] ?? '';
  const tab = indentation.indexOf('\t');
  if (problem.code === 'TAB_AS_INDENT' || tab >= 0) {
    const message = 'tabs are not allowed in YAML indentation; indent with spaces';
    return { message, offset: tab >= 0 ? lineStart + tab : offset };
  }
  // Only single-document readers (the configuration) meet this; the library's own words
  // advise its programmer.
  if (problem.code === 'MULTIPLE_DOCS')
    return { message: 'a second YAML document starts here: the file must hold one', offset };
  // The parser recurses per level and reports its exhausted stack in the engine's words.
  if (problem.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(problem.message))
    return {
      message: 'nested too deep: the YAML reader cannot follow lists and mappings this deep',
      offset,
    };
  const firstLine = problem.message.split('\n')[0] ?? '';
  const message = firstLine.replace(/ at line \d+, column \d+/, '').replace(/:$/, '');
  return { message: message.charAt(0).toLowerCase() + message.slice(1), offset };
}

/**
 * `offset` if it is inside `text`, else the last character that is not a line break: the
 * library reports some errors at the end of the file, a line and column it does not have.
 */
function insideText(text: string, offset: number): number {
  if (offset < text.length) return offset;
  const content = text.replace(/[\r\n]+$/, '');
  return Math.max(0, content.length - 1);
}

function convertDocument(document: Document.Parsed): YamlNode | null {
  if (document.contents === null) return null;
  const memo = new Map<Node, YamlNode>();
  return convert(document, document.contents, memo, new Set());
}

function convert(
  document: Document.Parsed,
  node: unknown,
  memo: Map<Node, YamlNode>,
  resolving: Set<Node>,
): YamlNode {
  if (isAlias(node)) {
    const target = node.resolve(document);
    // An alias to one of its own ancestors would expand forever; treat it as null.
    if (target === undefined || resolving.has(target))
      return { kind: 'null', offset: rangeStart(node) };
    return convert(document, target, memo, resolving);
  }
  if (!isScalar(node) && !isMap(node) && !isSeq(node)) return { kind: 'null', offset: 0 };
  const known = memo.get(node);
  if (known !== undefined) return known;
  resolving.add(node);
  const result = convertNode(document, node, memo, resolving);
  resolving.delete(node);
  memo.set(node, result);
  return result;
}

function convertNode(
  document: Document.Parsed,
  node: Node,
  memo: Map<Node, YamlNode>,
  resolving: Set<Node>,
): YamlNode {
  const offset = rangeStart(node);
  if (isScalar(node)) return convertScalar(node, offset);
  if (isSeq(node)) {
    const items = node.items.map((item) => convert(document, item, memo, resolving));
    return { kind: 'seq', offset, items };
  }
  if (isMap(node)) {
    const entries = node.items.map((pair) => ({
      key: pair.key === null ? nullAt(offset) : convert(document, pair.key, memo, resolving),
      value:
        pair.value === null
          ? nullAfter(pair.key, offset)
          : convert(document, pair.value, memo, resolving),
    }));
    return { kind: 'map', offset, entries };
  }
  return nullAt(offset);
}

const NULL_WORDS = new Set(['', '~', 'null', 'Null', 'NULL']);

function convertScalar(
  node: Node & { value: unknown; type?: string | undefined },
  offset: number,
): YamlNode {
  const value = typeof node.value === 'string' ? node.value : String(node.value ?? '');
  const style = scalarStyle(node.type);
  if (style === 'plain' && NULL_WORDS.has(value)) return nullAt(offset);
  const end = node.range?.[1] ?? offset;
  return { kind: 'scalar', offset, value, style, end };
}

function scalarStyle(type: string | undefined): ScalarStyle {
  switch (type) {
    case 'QUOTE_SINGLE':
      return 'single';
    case 'QUOTE_DOUBLE':
      return 'double';
    case 'BLOCK_LITERAL':
      return 'literal';
    case 'BLOCK_FOLDED':
      return 'folded';
    default:
      return 'plain';
  }
}

function rangeStart(node: unknown): number {
  const range = (node as { range?: [number, number, number] | null }).range;
  return range?.[0] ?? 0;
}

function nullAt(offset: number): YamlNull {
  return { kind: 'null', offset };
}

/** A key with no value node: point just past the key, where the value would be. */
function nullAfter(key: unknown, fallback: number): YamlNull {
  const range = (key as { range?: [number, number, number] | null } | null)?.range;
  return nullAt(range?.[2] ?? fallback);
}

/** The value of the first entry whose key is the scalar `key`, as yaml-cpp's `node[key]`. */
export function mapGet(map: YamlNode, key: string): YamlNode | undefined {
  if (map.kind !== 'map') return undefined;
  for (const entry of map.entries) {
    if (entry.key.kind === 'scalar' && entry.key.value === key) return entry.value;
  }
  return undefined;
}
