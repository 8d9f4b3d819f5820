/**
 * Option values that commander hands over as text, checked before anything starts: a bad
 * value is a usage error that says what was expected, never a silent default. Each reader
 * adds its message to `problems`, so that a command reports every bad option at once.
 */
import { parsePriority, priorityNames, type Priority } from '../detect/index.js';
import type { TimeFormat } from '../alerts/index.js';

/** The largest ring buffer the loader can size: its byte count must fit 32 bits. */
const MAX_RING_BUFFER_MB = 2048;

/** `--min-priority`: one of Falco's priorities, any case; undefined when not given. */
export function readMinPriority(
  text: string | undefined,
  problems: string[],
): Priority | undefined {
  if (text === undefined) return undefined;
  const priority = parsePriority(text);
  if (priority === undefined)
    problems.push(`--min-priority takes one of ${priorityNames.join(', ')}, found '${text}'`);
  return priority;
}

/** `--time-format`: local or iso8601. */
export function readTimeFormat(text: string, problems: string[]): TimeFormat {
  if (text === 'local' || text === 'iso8601') return text;
  problems.push(`--time-format takes local or iso8601, found '${text}'`);
  return 'local';
}

/**
 * The most environment bytes per process worth reading from /proc: what the probe copies from
 * an exec (its PARAM_MAX) and what a capture's process list holds per process (libscap's
 * SCAP_MAX_ENV_SIZE, which its reader enforces). More would give processes running at start a
 * longer environment than any process started later, and be cut when written to a capture.
 */
export const MAX_ENV_BYTES = 4096;

export const ENV_BYTES_HELP = `bytes of each process environment read from /proc at start, 0 to ${MAX_ENV_BYTES} (as much as exec events carry)`;

/** `--env-bytes`: a whole number of bytes from 0 (the default) to `MAX_ENV_BYTES`. */
export function readEnvBytes(text: string, problems: string[]): number {
  const bytes = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (bytes <= MAX_ENV_BYTES) return bytes;
  if (Number.isNaN(bytes))
    problems.push(
      `--env-bytes takes a whole number of bytes from 0 to ${MAX_ENV_BYTES}, found '${text}'`,
    );
  else
    problems.push(
      `--env-bytes takes at most ${MAX_ENV_BYTES} bytes, the environment an exec event or a capture file carries per process, found '${text}'`,
    );
  return 0;
}

/** `--ringbuf-mb`: a power of two from 1 to 2048; undefined when not given (the loader's 16). */
export function readRingBufferMb(text: string | undefined, problems: string[]): number | undefined {
  if (text === undefined) return undefined;
  const mb = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (mb >= 1 && mb <= MAX_RING_BUFFER_MB && (mb & (mb - 1)) === 0) return mb;
  problems.push(
    `--ringbuf-mb takes a power of two from 1 to ${MAX_RING_BUFFER_MB} (MiB), found '${text}'`,
  );
  return undefined;
}

/** `--duration`: a positive number of seconds; undefined when not given. */
export function readDurationSeconds(
  text: string | undefined,
  problems: string[],
): number | undefined {
  if (text === undefined) return undefined;
  const seconds = text.trim() === '' ? Number.NaN : Number(text);
  if (seconds > 0 && Number.isFinite(seconds)) return seconds;
  problems.push(`--duration takes a positive number of seconds, found '${text}'`);
  return undefined;
}
