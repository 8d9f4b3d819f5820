/**
 * Fields of Falco's json plugin (`json.value`, `json.obj`, `json.rawtime` and their `jevt.*`
 * aliases). The plugin declares no event sources, so Falco offers them on every plugin
 * source; Harrier adds them to the `k8s_audit` and `aws_cloudtrail` tables.
 */
import type { JsonSourceEvent } from '../../decode/json-events.js';
import type { FieldDefinition, FieldValue } from './types.js';
import { isJsonObject, jsonChild, jsonMarshal } from './json-access.js';

/**
 * Walks `root` along a JSON pointer (RFC 6901) the way the plugin does: one leading `/` is
 * dropped, `~1` and `~0` are unescaped in that order, and an empty pointer means the whole
 * document. Strings come back as they are, anything else as compact JSON.
 */
export function readJsonPointer(root: unknown, pointer: string): string | undefined {
  if (pointer.length === 0) return jsonMarshal(root);
  const path = pointer.startsWith('/') ? pointer.slice(1) : pointer;
  let value = root;
  for (const part of path.split('/')) {
    value = jsonChild(value, part.replaceAll('~1', '/').replaceAll('~0', '~'));
    if (value === undefined) return undefined;
  }
  return typeof value === 'string' ? value : jsonMarshal(value);
}

/** The plugin reads only payloads that start with `{` or `[`. */
function isDocument(raw: unknown): boolean {
  return isJsonObject(raw) || Array.isArray(raw);
}

function extractValue(
  event: JsonSourceEvent,
  argument: string | undefined,
): FieldValue | undefined {
  return isDocument(event.raw) ? readJsonPointer(event.raw, argument ?? '') : undefined;
}

/**
 * LIMIT: the document is re-serialised with two-space indentation from the parsed object, so
 * string escapes (`\u003c`, `\/`) print in their plain form, unlike the plugin's `json.Indent`.
 */
function extractObject(event: JsonSourceEvent): FieldValue | undefined {
  return isDocument(event.raw) ? JSON.stringify(event.raw, null, 2) : undefined;
}

function extractRawTime(event: JsonSourceEvent): FieldValue | undefined {
  return event.ts.toString();
}

function jsonFields(prefix: 'json' | 'jevt', alias: boolean): FieldDefinition<JsonSourceEvent>[] {
  const suffix = alias ? ' (alias kept for older rules)' : '';
  const common = { type: 'CHARBUF', plugin: 'json' } as const;
  return [
    {
      ...common,
      name: `${prefix}.value`,
      argument: 'required',
      argumentKind: 'key',
      description: `Value at the JSON pointer given as argument, e.g. [/user/name]${suffix}.`,
      extract: extractValue,
    },
    {
      ...common,
      name: `${prefix}.obj`,
      argument: 'none',
      description: `Whole event as indented JSON text${suffix}.`,
      extract: extractObject,
    },
    {
      ...common,
      name: `${prefix}.rawtime`,
      argument: 'none',
      description: `Event time in nanoseconds since the epoch, as text${suffix}.`,
      extract: extractRawTime,
    },
  ];
}

/** The six json plugin fields, usable on any JSON-based source. */
export function createJsonFieldDefinitions(): FieldDefinition<JsonSourceEvent>[] {
  return [...jsonFields('json', false), ...jsonFields('jevt', true)];
}
