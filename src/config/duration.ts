/**
 * Durations and sizes as the configuration writes them: `500ms`, `10s`, `5m`, `2h`, `30d`
 * (a bare number is seconds), and `512`, `10KB`, `100MB`, `1GB` (powers of 1024; bare bytes).
 */

const durationUnits: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const sizeUnits: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Milliseconds, or undefined when `text` is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text >= 0 ? text * 1000 : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text);
  if (match === null) return undefined;
  return Number(match[1]) * (durationUnits[(match[2] ?? 's').toLowerCase()] ?? 1000);
}

/** Bytes, or undefined when `text` is not a size. */
export function parseByteSize(text: string | number): number | undefined {
  if (typeof text === 'number') return text >= 0 ? Math.floor(text) : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (match === null) return undefined;
  return Math.floor(Number(match[1]) * (sizeUnits[(match[2] ?? 'b').toLowerCase()] ?? 1));
}
