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

/**
 * How a gzip stream breaks: `truncated`, it stops before its end; `corrupt`, zlib finds
 * invalid data at a byte; `checksum`, the data decodes but its trailer's checksum or length
 * does not match, so the damage lies somewhere before the trailer and cannot be placed.
 */
export type GzipFault = 'truncated' | 'corrupt' | 'checksum';

/** Where in the decompressed data a stream broke, when the reader knows. */
export interface GzipPosition {
  /** Bytes decompressed before the fault. */
  uncompressedOffset?: number;
  /** Text line (from 1) the fault falls in, for line-based readers. */
  line?: number;
}

/** A gzip stream that cannot be decompressed to its end. */
export class GzipError extends Error {
  readonly uncompressedOffset: number | undefined;
  readonly line: number | undefined;

  /**
   * @param kind see `GzipFault`.
   * @param compressedOffset the byte of the compressed file where zlib found the fault, or,
   *   when `exact` is false, the bytes before it that decompressed (`corrupt`); the bytes
   *   read when the stream stopped (`truncated`); the first byte of the trailer that did not
   *   match (`checksum`). 0 with no position: the message then gives none.
   */
  constructor(
    readonly kind: GzipFault,
    readonly compressedOffset = 0,
    readonly exact = true,
    options?: ErrorOptions & GzipPosition,
  ) {
    super(gzipMessage(kind, compressedOffset, exact, options ?? {}), options);
    this.name = 'GzipError';
    this.uncompressedOffset = options?.uncompressedOffset;
    this.line = options?.line;
  }

  /** This error with its place in the decompressed data. */
  at(position: GzipPosition): GzipError {
    const options = { cause: this.cause, ...position };
    return new GzipError(this.kind, this.compressedOffset, this.exact, options);
  }
}

function gzipMessage(kind: GzipFault, offset: number, exact: boolean, at: GzipPosition): string {
  const inText = [
    at.uncompressedOffset === undefined ? '' : `uncompressed byte ${at.uncompressedOffset}`,
    at.line === undefined ? '' : `line ${at.line}`,
  ].filter((part) => part !== '');
  const where = inText.length === 0 ? '' : ` (${inText.join(', ')})`;
  if (kind === 'checksum') {
    // The trailer is checked after all data came out: only "before the trailer" is known.
    const before = offset === 0 ? '' : ` before compressed byte ${offset}`;
    return `corrupt gzip data somewhere${before}: the checksum in its trailer does not match`;
  }
  if (kind === 'truncated')
    return offset === 0 && where === ''
      ? 'gzip stream truncated'
      : `gzip stream truncated at compressed byte ${offset}${where}`;
  return `corrupt gzip data ${exact ? 'at' : 'past'} compressed byte ${offset}${where}`;
}

/** Whether `bytes` start with the gzip magic `1f 8b`. */
export function hasGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isDataFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'Z_DATA_ERROR' || code === 'Z_NEED_DICT';
}

/** zlib's trailer checks: "incorrect data check" (CRC-32), "incorrect length check". */
function isChecksumFault(error: unknown): boolean {
  return isDataFault(error) && /incorrect (data|length) check/.test((error as Error).message);
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
  const kind = isChecksumFault(error) ? 'checksum' : 'corrupt';
  const at =
    prefix === undefined || prefix.length > GZIP_LOCATE_LIMIT
      ? undefined
      : locateFault(prefix, decompressed);
  if (kind === 'checksum') {
    // zlib fails on the last byte of the field it checks: the CRC-32 (trailer bytes 0-3) or
    // the length (bytes 4-7); the trailer starts that many bytes earlier.
    const field = /length/.test((error as Error).message) ? 7 : 3;
    const trailer = at === undefined ? 0 : at - field;
    return new GzipError(kind, trailer, at !== undefined, { cause: error });
  }
  return at === undefined
    ? new GzipError(kind, decompressed, false, { cause: error })
    : new GzipError(kind, at, true, { cause: error });
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
