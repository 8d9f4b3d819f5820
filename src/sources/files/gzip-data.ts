/**
 * Gzip input in Harrier's words: zlib's failures ("incorrect header check", "unexpected end
 * of file", ...) become a corrupt stream located at a byte of the compressed file, or a
 * truncated stream.
 */
import { constants, gunzipSync } from 'node:zlib';

/**
 * Largest compressed prefix searched for the exact byte where the data goes bad: each probe
 * decompresses the prefix again, about 20 probes in all, so this bounds the cost of an error.
 */
// LIMIT: past 2 MiB of compressed input, corrupt data is said to lie "past" the last byte
// known to decompress cleanly (byte 0 for a whole JSON file), not at the exact byte.
export const GZIP_LOCATE_LIMIT = 2 * 1024 * 1024;

/** Output allowed per probe, so that a corrupt gzip bomb cannot exhaust memory. */
const MAX_PROBE_OUTPUT = 256 * 1024 * 1024;

/** A gzip stream that cannot be decompressed to its end. */
export class GzipError extends Error {
  /**
   * @param kind `truncated`: the stream stops before its end; `corrupt`: invalid data.
   * @param compressedOffset for corrupt data, the byte of the compressed file where zlib
   *   found the fault, or, when `exact` is false, the bytes before it that decompressed.
   */
  constructor(
    readonly kind: 'truncated' | 'corrupt',
    readonly compressedOffset = 0,
    readonly exact = true,
    options?: ErrorOptions,
  ) {
    const where = `${exact ? 'at' : 'past'} compressed byte ${compressedOffset}`;
    super(kind === 'truncated' ? 'gzip stream truncated' : `corrupt gzip data ${where}`, options);
    this.name = 'GzipError';
  }
}

/** Whether `bytes` start with the gzip magic `1f 8b`. */
export function hasGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isDataFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'Z_DATA_ERROR' || code === 'Z_NEED_DICT';
}

/**
 * `error` from zlib as a `GzipError`, or undefined when it is no fault of the data. For
 * corrupt data, the first `decompressed` compressed bytes went through cleanly; `prefix`,
 * the compressed bytes read so far (at most `GZIP_LOCATE_LIMIT`), locates the fault exactly.
 */
export function gzipErrorOf(
  error: unknown,
  decompressed: number,
  prefix?: Uint8Array,
): GzipError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR') return new GzipError('truncated', 0, true, { cause: error });
  if (!isDataFault(error)) return undefined;
  const at =
    prefix === undefined || prefix.length > GZIP_LOCATE_LIMIT
      ? undefined
      : locateFault(prefix, decompressed);
  return at === undefined
    ? new GzipError('corrupt', decompressed, false, { cause: error })
    : new GzipError('corrupt', at, true, { cause: error });
}

/** Whether decompressing `bytes` as far as they go meets invalid data; undefined: unknown. */
function failsAt(bytes: Uint8Array): boolean | undefined {
  try {
    gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_PROBE_OUTPUT });
    return false;
  } catch (error) {
    return isDataFault(error) ? true : undefined;
  }
}

/**
 * Offset of the byte at which zlib first finds `bytes` invalid, knowing the first `from`
 * bytes are valid: the shortest failing prefix, by bisection (a prefix fails exactly when it
 * holds the fault, as zlib reads in order). Undefined when a probe cannot tell.
 */
function locateFault(bytes: Uint8Array, from: number): number | undefined {
  if (failsAt(bytes) !== true) return undefined;
  let good = from;
  let bad = bytes.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    const fails = failsAt(bytes.subarray(0, middle));
    if (fails === undefined) return undefined;
    if (fails) bad = middle;
    else good = middle;
  }
  return bad - 1;
}

/**
 * The decompressed bytes of a whole gzip file (all members). Throws `GzipError` for a
 * truncated or corrupt stream.
 */
export function gunzipData(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw gzipErrorOf(error, 0, bytes) ?? error;
  }
}
