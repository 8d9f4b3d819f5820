/**
 * A reader that goes away (`harrier replay … | head -1`) ends the command quietly with status
 * 0, as Unix tools end on SIGPIPE, instead of a stack trace for the failed write. Long-running
 * commands register their clean stop, so that the store and outputs still close.
 */

let cleanStop: (() => void) | undefined;
let stopping = false;

/**
 * While `stop` is set, a closed stdout calls it once instead of exiting at once (`run` and
 * `serve` stop as on SIGTERM); `undefined` takes it back.
 */
export function stopWhenStdoutCloses(stop: (() => void) | undefined): void {
  cleanStop = stop;
}

function isClosedPipe(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** Ends the process quietly, or asks a registered command to stop. */
function endQuietly(): void {
  if (stopping) return;
  if (cleanStop === undefined) process.exit(0);
  stopping = true;
  cleanStop();
}

/**
 * Installs the handlers: EPIPE on stdout ends the command quietly; another write error there
 * (a full disk) is reported and exits 1. Write errors on stderr are ignored: nothing is left
 * to report them to, and stdout may still have a reader.
 */
export function handleClosedOutputs(): void {
  process.stdout.on('error', (error) => {
    if (stopping || isClosedPipe(error)) return endQuietly();
    process.stderr.write(`harrier: cannot write the standard output: ${error.message}\n`);
    process.exit(1);
  });
  process.stderr.on('error', () => {});
}
