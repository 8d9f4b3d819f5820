/**
 * File-system errors in words a rule author reads.
 * @internal
 */

/**
 * The reason of a failed file operation without Node's code and path: `ENOENT: no such file
 * or directory, open 'x.yaml'` becomes `no such file or directory`. Other errors keep their
 * message.
 */
export function systemReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^E[A-Z]+: (.*?), \w+ '/.exec(message)?.[1] ?? message;
}
