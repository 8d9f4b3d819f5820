/**
 * `harrier serve`'s options, read and checked before anything starts: every bad value or
 * unusable file is reported at once, as a usage error that names the option and what was
 * expected, so that serve never listens with a setup it cannot keep.
 */
import { checkListenOption } from './listen-address.js';
import type { RunnerOutputFlags } from './runner-outputs.js';
import {
  checkAuditLog,
  checkCloudTrailTargets,
  readTlsFiles,
  readTokenFile,
} from './serve-files.js';

/**
 * The largest `--max-body-bytes`: a body is parsed as one JSON string, and V8 strings end
 * near 512 MiB; the parsed events take several times their text besides.
 */
export const MAX_BODY_BYTES_LIMIT = 256 * 1024 * 1024;

/** The serve options as commander hands them over. */
export interface ServeFlags extends RunnerOutputFlags {
  listen: string;
  path: string;
  tlsCert?: string;
  tlsKey?: string;
  tokenFile?: string;
  maxBodyBytes?: string;
  maxConnections?: string;
  requestTimeout?: string;
  auditLog: string[];
  cloudtrail: string[];
  cloudtrailFromStart?: boolean;
  webhook: boolean;
}

/** What serve starts, from checked options. */
export interface ServeSetup {
  /** Undefined with `--no-webhook`. */
  webhook?: {
    listen: string;
    path: string;
    tls?: { cert: Buffer; key: Buffer };
    token?: string;
    maxBodyBytes?: number;
    maxConnections?: number;
    requestTimeoutMs?: number;
  };
  auditLogs: string[];
  cloudTrail: string[];
}

/** `--max-body-bytes`: a whole number of bytes from 1 to `MAX_BODY_BYTES_LIMIT`. */
export function readMaxBodyBytes(text: string | undefined, problems: string[]): number | undefined {
  if (text === undefined) return undefined;
  const bytes = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (bytes >= 1 && bytes <= MAX_BODY_BYTES_LIMIT) return bytes;
  problems.push(
    `--max-body-bytes takes a whole number of bytes from 1 to ${MAX_BODY_BYTES_LIMIT} (256 MiB), found '${text}'`,
  );
  return undefined;
}

/** `--max-connections`: a whole number of connections from 1 to 65536. */
export function readMaxConnections(
  text: string | undefined,
  problems: string[],
): number | undefined {
  if (text === undefined) return undefined;
  const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (count >= 1 && count <= 65536) return count;
  problems.push(`--max-connections takes a whole number from 1 to 65536, found '${text}'`);
  return undefined;
}

/** `--request-timeout`: whole seconds from 1 to 3600, returned in milliseconds. */
export function readRequestTimeout(
  text: string | undefined,
  problems: string[],
): number | undefined {
  if (text === undefined) return undefined;
  const seconds = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (seconds >= 1 && seconds <= 3600) return seconds * 1000;
  problems.push(`--request-timeout takes whole seconds from 1 to 3600, found '${text}'`);
  return undefined;
}

/** `--path`: the URL path requests must go to; the webhook compares it without the query. */
export function readWebhookPath(text: string, problems: string[]): string {
  if (!text.startsWith('/'))
    problems.push(`--path takes a URL path starting with '/', found '${text}'`);
  else if (/[?#\s]/.test(text))
    problems.push(`--path takes a URL path without '?', '#' or spaces, found '${text}'`);
  return text;
}

/** The options only the webhook uses: their attribute name in `ServeFlags` and their flag. */
const WEBHOOK_ONLY_OPTIONS: readonly (readonly [keyof ServeFlags, string])[] = [
  ['listen', '--listen'],
  ['path', '--path'],
  ['maxBodyBytes', '--max-body-bytes'],
  ['maxConnections', '--max-connections'],
  ['requestTimeout', '--request-timeout'],
  ['tlsCert', '--tls-cert'],
  ['tlsKey', '--tls-key'],
  ['tokenFile', '--token-file'],
];

/**
 * With `--no-webhook`, the webhook's options given would do nothing: a contradiction, refused
 * as `--store` with `--no-store` is, rather than let the user believe they apply.
 */
function checkWebhookOnlyOptions(given: ReadonlySet<string>, problems: string[]): void {
  const flags = WEBHOOK_ONLY_OPTIONS.filter(([name]) => given.has(name)).map(([, flag]) => flag);
  if (flags.length === 0) return;
  const them = flags.length === 1 ? 'it' : 'them';
  problems.push(
    `${flags.join(', ')} only ${flags.length === 1 ? 'applies' : 'apply'} to the webhook, which --no-webhook leaves out; drop ${them} or --no-webhook`,
  );
}

/**
 * Reads every serve option and the files they name; a problem with any of them is added to
 * `problems` (the setup returned is then not to be used). `given` holds the attribute names
 * of the options set on the command line rather than by default.
 */
export async function readServeFlags(
  flags: ServeFlags,
  problems: string[],
  given: ReadonlySet<string> = new Set(),
): Promise<ServeSetup> {
  // The webhook's options are checked with --no-webhook too: a bad value is never let pass.
  checkListenOption('--listen', flags.listen, problems);
  checkListenOption('--metrics', flags.metrics, problems);
  const webhook = {
    listen: flags.listen,
    path: readWebhookPath(flags.path, problems),
    maxBodyBytes: readMaxBodyBytes(flags.maxBodyBytes, problems),
    maxConnections: readMaxConnections(flags.maxConnections, problems),
    requestTimeoutMs: readRequestTimeout(flags.requestTimeout, problems),
    tls: await readTlsFiles(flags.tlsCert, flags.tlsKey, problems),
    token:
      flags.tokenFile === undefined
        ? process.env.HARRIER_WEBHOOK_TOKEN || undefined
        : await readTokenFile(flags.tokenFile, problems),
  };
  if (!flags.webhook) checkWebhookOnlyOptions(given, problems);
  if (!flags.webhook && flags.auditLog.length === 0 && flags.cloudtrail.length === 0)
    problems.push(
      'nothing to serve: --no-webhook leaves no source; give --audit-log or --cloudtrail, or drop --no-webhook',
    );
  for (const file of flags.auditLog) await checkAuditLog(file, problems);
  await checkCloudTrailTargets(flags.cloudtrail, problems);
  if (flags.cloudtrailFromStart === true && flags.cloudtrail.length === 0)
    problems.push('--cloudtrail-from-start applies to --cloudtrail directories; none is given');
  return {
    webhook: flags.webhook ? webhook : undefined,
    auditLogs: flags.auditLog,
    cloudTrail: flags.cloudtrail,
  };
}
