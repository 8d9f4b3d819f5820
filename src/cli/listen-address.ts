/**
 * `host:port` addresses of the servers Harrier starts (the audit webhook, the metrics
 * endpoint).
 */

/** Splits `host:port`; a bare port means 127.0.0.1. Throws a RangeError for a bad port. */
export function parseListen(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host =
    colon < 0 ? '127.0.0.1' : listen.slice(0, colon).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const portText = colon < 0 ? listen : listen.slice(colon + 1);
  const port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
  if (Number.isNaN(port)) throw new RangeError(`listen: expected host:port, found '${listen}'`);
  if (port > 65535)
    throw new RangeError(`listen: port ${port} is out of range (0 to 65535) in '${listen}'`);
  return { host, port };
}

/**
 * Adds to `problems` why `text`, the value of `flag` (`--listen`, `--metrics`), is no address;
 * nothing when it is one, or when the option was not given.
 */
export function checkListenOption(
  flag: string,
  text: string | false | undefined,
  problems: string[],
): void {
  if (typeof text !== 'string') return;
  try {
    parseListen(text);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    problems.push(`${flag}${error.message.replace(/^listen/, '')}`);
  }
}

/** What a failed listen means to the user, from its error code. */
export function describeListenError(error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') return 'the address is already in use';
  if (error.code === 'EADDRNOTAVAIL') return 'no interface of this host has that address';
  if (error.code === 'EACCES') return 'permission denied (ports below 1024 need privileges)';
  return error.message;
}
