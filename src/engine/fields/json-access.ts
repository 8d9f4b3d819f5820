/**
 * Reading parsed JSON the way Falco's Go plugins read it with fastjson, so that extracted
 * values match theirs: a missing key is `undefined` while a JSON `null` is a present value,
 * arrays are indexed by decimal keys, and non-string values print as compact JSON.
 *
 * LIMIT: values are re-serialised from the parsed object, so numbers print in JavaScript's
 * form (`1.0` becomes `1`), integers past 2^53 lose precision, object keys that look like
 * integers come first, and a duplicated key keeps its last value (fastjson keeps the first).
 * @internal
 */

/** A parsed JSON object. */
export type JsonObject = { readonly [key: string]: unknown };

/** Whether `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's `strconv.Atoi` as fastjson uses it to index arrays; undefined when not a number. */
function arrayIndex(key: string): number | undefined {
  return /^[+-]?\d+$/.test(key) ? Number(key) : undefined;
}

/** One step of fastjson's `Value.Get`: an object member or an array element. */
export function jsonChild(value: unknown, key: string): unknown {
  if (Array.isArray(value)) {
    const index = arrayIndex(key);
    return index === undefined || index < 0 || index >= value.length ? undefined : value[index];
  }
  if (isJsonObject(value) && Object.prototype.hasOwnProperty.call(value, key)) return value[key];
  return undefined;
}

/** fastjson's `Value.Get(keys...)`: undefined as soon as a step is missing. */
export function jsonGet(value: unknown, ...keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    current = jsonChild(current, key);
    if (current === undefined) return undefined;
  }
  return current;
}

/** fastjson's `GetStringBytes`: the string at `keys`, or undefined when it is not a string. */
export function jsonString(value: unknown, ...keys: readonly string[]): string | undefined {
  const found = jsonGet(value, ...keys);
  return typeof found === 'string' ? found : undefined;
}

/** fastjson's `MarshalTo`: compact JSON text. */
export function jsonMarshal(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** A string as itself, anything else as compact JSON (the k8saudit plugin's rule). */
export function jsonText(value: unknown): string {
  return typeof value === 'string' ? value : jsonMarshal(value);
}

/** fastjson's `Bool()` read leniently: true only for JSON `true`. */
export function isJsonTrue(value: unknown): boolean {
  return value === true;
}
