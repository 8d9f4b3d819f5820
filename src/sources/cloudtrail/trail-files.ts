/**
 * CloudTrail log files on disk: `.json` and `.json.gz` files, zip archives of them, and
 * directory trees laid out as CloudTrail writes them to S3
 * (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/...`).
 */
import { readFile, stat } from 'node:fs/promises';
import {
  gunzipData,
  GzipError,
  hasGzipMagic,
  readZipMembers,
  ZipArchiveError,
} from '../files/index.js';
import { readTrailText, type TrailRead } from './trail-text.js';

/** A name ending that marks a CloudTrail log file. */
export function isTrailFileName(name: string): boolean {
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
    const errors = [{ origin: { file: name }, reason: error.message }];
    return { records: [], errors, ...(error.kind === 'truncated' && { incomplete: true }) };
  }
  return readTrailText(text, name);
}

/** Whether `bytes` start as a zip archive does: a local file header or an empty archive. */
function hasZipMagic(bytes: Uint8Array): boolean {
  const magic = Buffer.from(bytes.subarray(0, 4)).toString('latin1');
  return magic === 'PK\x03\x04' || magic === 'PK\x05\x06';
}

/** Whether a member's bytes can be a trail file: gzip, or text opening a JSON value. */
function looksLikeTrail(bytes: Uint8Array): boolean {
  if (hasGzipMagic(bytes)) return true;
  const head = Buffer.from(bytes.subarray(0, 64)).toString('utf8').trimStart();
  return head.startsWith('{') || head.startsWith('[');
}

/**
 * The reads of a zip archive's members, one per member, in archive order. A member that is
 * neither gzip nor JSON is an error of its own (`archive.zip:member: not a CloudTrail log`),
 * as is an archive that cannot be read at all.
 */
async function readTrailArchive(file: string, bytes: Uint8Array): Promise<TrailRead[]> {
  const reads: TrailRead[] = [];
  const failed = (name: string, reason: string) =>
    void reads.push({ records: [], errors: [{ origin: { file: name }, reason }] });
  try {
    for await (const member of readZipMembers({ name: file, bytes })) {
      if (member.bytes === undefined) failed(member.name, `not read: ${member.reason}`);
      else if (!looksLikeTrail(member.bytes))
        failed(member.name, 'not read: neither gzip nor JSON, expected a CloudTrail log file');
      else reads.push(readTrailBytes(member.bytes, member.name));
    }
  } catch (error) {
    if (!(error instanceof ZipArchiveError)) throw error;
    failed(file, error.message);
  }
  if (reads.length === 0) failed(file, 'no files in the zip archive');
  return reads;
}

/**
 * Reads one log file, or each member of a zip archive (known by its content), one read per
 * file. Rejects only when the file cannot be read at all.
 */
export async function readTrailFile(file: string): Promise<TrailRead[]> {
  const bytes = await readFile(file);
  return hasZipMagic(bytes) ? readTrailArchive(file, bytes) : [readTrailBytes(bytes, file)];
}

/** Whether `file` is a directory. */
export async function isDirectory(file: string): Promise<boolean> {
  return (await stat(file)).isDirectory();
}
