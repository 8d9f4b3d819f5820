/**
 * Value readers behind the `k8s_audit` fields, following the k8saudit plugin's extraction
 * code (plugins/k8saudit/pkg/k8saudit/extract.go) step by step, including its quirks.
 * A reader returns `undefined` where the plugin sets no value or fails.
 * @internal
 */
import type { K8sAuditEvent } from '../../decode/json-events.js';
import type { FieldDefinition, FieldValue } from './types.js';
import { isJsonObject, isJsonTrue, jsonGet, jsonText } from './json-access.js';

/**
 * The plugin's `getValuesRecursive`: follows `keys` from `root`; at each array met on the way
 * it either keeps element `index` or, with no index, follows every element and collects their
 * results (a missing branch gives `undefined` in place). Undefined when the path is missing.
 */
export function valuesAlong(
  root: unknown,
  index: number | undefined,
  keys: readonly string[],
  start = 0,
): unknown[] | undefined {
  let current = root;
  for (let position = start; position < keys.length; position++) {
    if (Array.isArray(current)) {
      if (index === undefined) return fanOut(current, keys, position);
      if (index >= current.length) return undefined;
      current = current[index];
    }
    const key = keys[position];
    current = key === '' ? current : jsonGet(current, key);
    if (current === undefined) return undefined;
  }
  return [current];
}

function fanOut(
  elements: readonly unknown[],
  keys: readonly string[],
  position: number,
): unknown[] {
  const results: unknown[] = [];
  for (const element of elements) {
    const nested = valuesAlong(element, undefined, keys, position);
    if (nested === undefined) results.push(undefined);
    else results.push(...nested);
  }
  return results;
}

/** Present values as text, missing ones dropped (`arrayAsStringsSkipNil`). */
export function textsSkippingMissing(values: readonly unknown[]): string[] {
  return values.filter((value) => value !== undefined).map(jsonText);
}

/** Every value as text; undefined when one is missing (`arrayAsStrings`). */
export function textsOrNothing(values: readonly unknown[] | undefined): string[] | undefined {
  if (!values || values.some((value) => value === undefined)) return undefined;
  return values.map(jsonText);
}

/** A plain value at `keys` as text, or a list of texts for list fields (`extractFromKeys`). */
export function textAt(
  root: unknown,
  keys: readonly string[],
  isList: boolean,
): string | string[] | undefined {
  const value = jsonGet(root, ...keys);
  if (value === undefined) return undefined;
  if (!isList) return jsonText(value);
  return Array.isArray(value) ? value.map(jsonText) : undefined;
}

/** `subjects` names of one kind of a role binding; `NamespacedServiceAccount` gives ns:name. */
export function subjectNames(root: unknown, kind: string): string[] | undefined {
  const subjects = jsonGet(root, 'requestObject', 'subjects');
  if (subjects === undefined) return [];
  if (!Array.isArray(subjects)) return undefined;
  const namespaced = kind === 'NamespacedServiceAccount';
  const wanted = namespaced ? 'ServiceAccount' : kind;
  const names: string[] = [];
  for (const subject of subjects) {
    const subjectKind = jsonGet(subject, 'kind');
    const name = jsonGet(subject, 'name');
    if (subjectKind === undefined || name === undefined || jsonText(subjectKind) !== wanted)
      continue;
    if (!namespaced) {
      names.push(jsonText(name));
      continue;
    }
    const namespace = jsonGet(subject, 'namespace');
    if (namespace !== undefined) names.push(`${jsonText(namespace)}:${jsonText(name)}`);
  }
  return names;
}

/** Image repository as the plugin cuts it: before the first `:`, then before the first `@`. */
export function imageRepository(image: string): string {
  return image.split(':')[0].split('@')[0];
}

/** Per-container values under `requestObject.spec.<list>` (`getContainerValues`). */
export function containerValues(
  root: unknown,
  list: string,
  index: number | undefined,
  ...keys: string[]
): unknown[] | undefined {
  return valuesAlong(root, index, ['requestObject', 'spec', list, ...keys]);
}

/** `command` or `args` of each container, each joined by spaces; undefined when none. */
export function joinedStringArrays(values: readonly unknown[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const joined: string[] = [];
  for (const value of values) {
    if (value === undefined) continue;
    if (!Array.isArray(value) || value.some((part) => typeof part !== 'string')) return undefined;
    joined.push(value.join(' '));
  }
  return joined.length === 0 ? undefined : joined;
}

/** `hostPort` of every port of every container, or `containerPort` when it has none. */
export function hostPorts(values: readonly unknown[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const ports: string[] = [];
  for (const value of values) {
    if (value === undefined) continue;
    if (!Array.isArray(value)) return undefined;
    for (const port of value) {
      const hostPort = jsonGet(port, 'hostPort');
      // A JSON null host port is still present for the plugin, hence no `??`.
      const chosen = hostPort !== undefined ? hostPort : jsonGet(port, 'containerPort');
      if (chosen !== undefined) ports.push(jsonText(chosen));
    }
  }
  return ports;
}

/**
 * The plugin's `readFromContainerEffectively`. As in the plugin, the pod-level default is read
 * from `spec.<key>` and the container value from `<container>.<key>` (not from their
 * `securityContext`), so in practice every container reports `0`.
 */
export function effectiveIds(
  root: unknown,
  list: string,
  index: number | undefined,
  key: string,
): string[] | undefined {
  const podValue = jsonGet(root, 'requestObject', 'spec', key);
  const fallback = podValue === undefined ? '0' : jsonText(podValue);
  const values = containerValues(root, list, index, key);
  return values?.map((value) => (value === undefined ? fallback : jsonText(value)));
}

/** `extractRulesField`: `requestObject.rules[*].<key>` arrays flattened into texts. */
export function ruleValues(
  root: unknown,
  index: number | undefined,
  key: string,
): string[] | undefined {
  const values = valuesAlong(root, index, ['requestObject', 'rules', key]);
  if (!values) return undefined;
  return values.flatMap((value) => (Array.isArray(value) ? textsSkippingMissing(value) : []));
}

/** Volume kinds: every key of each volume object except `name`. */
export function volumeTypes(root: unknown, index: number | undefined): string[] | undefined {
  const volumes = valuesAlong(root, index, ['requestObject', 'spec', 'volumes', '']);
  if (!volumes) return undefined;
  return volumes.flatMap((volume) =>
    isJsonObject(volume) ? Object.keys(volume).filter((key) => key !== 'name') : [],
  );
}

/** `ka.req.container.privileged`: "true" when any container sets privileged to true. */
export function anyPrivileged(root: unknown): string | undefined {
  const values = containerValues(root, 'containers', undefined, 'securityContext', 'privileged');
  if (!values) return undefined;
  return values.some(isJsonTrue) ? 'true' : 'false';
}

/**
 * First value of query parameter `key` in `uri`, decoded as Go's `url.ParseQuery` does;
 * undefined when absent or when the query is malformed (a `;`, a bad `%` escape).
 */
export function queryParameter(uri: string, key: string): string | undefined {
  const queryStart = uri.indexOf('?');
  if (queryStart < 0) return undefined;
  const fragmentStart = uri.indexOf('#', queryStart);
  const query = uri.slice(queryStart + 1, fragmentStart < 0 ? undefined : fragmentStart);
  let found: string | undefined;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    if (pair.includes(';')) return undefined;
    const equals = pair.indexOf('=');
    const name = decodeQueryPart(equals < 0 ? pair : pair.slice(0, equals));
    const value = decodeQueryPart(equals < 0 ? '' : pair.slice(equals + 1));
    if (name === undefined || value === undefined) return undefined;
    if (name === key && found === undefined) found = value;
  }
  return found;
}

function decodeQueryPart(text: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return undefined;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

/** Reads one field from the audit event object; `index` is the numeric argument, if any. */
export type AuditReader = (
  root: unknown,
  argument: string | undefined,
) => string | string[] | undefined;

interface AuditFieldSpec {
  name: string;
  description: string;
  read: AuditReader;
  isList?: boolean;
  argument?: 'allowed' | 'required';
  argumentKind?: 'index' | 'key';
}

/** Turns a spec into a definition whose extractor applies the plugin's common rules. */
export function auditField(spec: AuditFieldSpec): FieldDefinition<K8sAuditEvent> {
  const { read, ...rest } = spec;
  return {
    type: 'CHARBUF',
    argument: 'none',
    plugin: 'k8saudit',
    ...rest,
    extract: (event, argument) => extractAudit(event.raw, argument, read),
  };
}

/**
 * The plugin ignores JSON without an `auditID`, and libs treats an empty list as no value.
 */
function extractAudit(
  root: unknown,
  argument: string | undefined,
  read: AuditReader,
): FieldValue | undefined {
  if (jsonGet(root, 'auditID') === undefined) return undefined;
  const value = read(root, argument);
  return Array.isArray(value) && value.length === 0 ? undefined : value;
}

/** The numeric argument of an index field, or undefined for "every element". */
export function indexOf(argument: string | undefined): number | undefined {
  return argument === undefined ? undefined : Number(argument);
}
