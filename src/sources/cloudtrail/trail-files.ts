/**
 * CloudTrail log files on disk: `.json` and `.json.gz` files, directory trees laid out as
 * CloudTrail writes them to S3 (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/...`).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { gunzipData, GzipError, hasGzipMagic } from '../files/index.js';
import { readTrailText, type TrailRead } from './trail-text.js';

/** A name ending that marks a CloudTrail log file. */
function isTrailFileName(name: string): boolean {
  return name.endsWith('.json') || name.endsWith('.json.gz') || name.endsWith('.jsonl');
}

/** The text of a file's bytes, gunzipped when they start with the gzip magic. */
function textOf(bytes: Uint8Array): string {
  const raw = hasGzipMagic(bytes) ? gunzipData(bytes) : bytes;
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
}

/**
 * Reads a bytes buffer named `name` as a trail file; a broken gzip stream is an error of the
 * file (`gzip stream truncated`, `corrupt gzip data at compressed byte N`).
 */
export function readTrailBytes(bytes: Uint8Array, name: string): TrailRead {
  let text: string;
  try {
    text = textOf(bytes);
  } catch (error) {
    if (!(error instanceof GzipError)) throw error;
    return { records: [], errors: [{ origin: { file: name }, reason: error.message }] };
  }
  return readTrailText(text, name);
}

/** Reads one log file. Rejects only when the file cannot be read at all. */
export async function readTrailFile(file: string): Promise<TrailRead> {
  return readTrailBytes(await readFile(file), file);
}

/** Every trail file under `directory`, recursively, sorted by path (S3 key order). */
export async function listTrailFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && isTrailFileName(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Whether `file` is a directory. */
export async function isDirectory(file: string): Promise<boolean> {
  return (await stat(file)).isDirectory();
}
