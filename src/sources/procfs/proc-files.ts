/**
 * Small readers for `/proc` files that may vanish while they are read: a process can exit
 * between listing `/proc` and opening its files, so every reader returns undefined instead
 * of throwing when the file is gone or unreadable.
 * @internal
 */
import { readFileSync, readlinkSync, statSync, type BigIntStats } from 'node:fs';

/** The file's text, or undefined when it cannot be read. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
}

/** At most `limit` bytes of the file, or undefined when it cannot be read. */
export function readBytes(path: string, limit = Number.POSITIVE_INFINITY): Buffer | undefined {
  try {
    const bytes = readFileSync(path);
    return bytes.length > limit ? bytes.subarray(0, limit) : bytes;
  } catch {
    return undefined;
  }
}

/** A symbolic link's target, or undefined. */
export function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `stat` (following links) with bigint fields and nanosecond times, or undefined. */
export function statOf(path: string): BigIntStats | undefined {
  try {
    return statSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}

/** NUL-separated strings (cmdline, environ), without the empty string after the last NUL. */
export function splitNul(bytes: Buffer | undefined): string[] {
  if (bytes === undefined || bytes.length === 0) return [];
  const parts = bytes.toString('utf8').split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** `Key:\tvalue` lines of a status file, by key. */
export function statusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}
