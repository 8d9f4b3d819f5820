/**
 * Interrupts that arrive while `run` or `record` is stopping. Without a handler the second
 * Ctrl-C would kill the process at once (Node's default), losing the closing summary and what
 * the capture and outputs still had buffered; so the first extra one only says what is going
 * on, and the next one exits at once, for a stop that hangs.
 */
import { reportNote } from './stderr-report.js';

/** Exit status of a process ended by SIGINT, as the shell reports it. */
const INTERRUPTED_STATUS = 130;

/** `writing` names what the stop still writes out, e.g. `the capture and counters`. */
export function handleSignalsWhileStopping(command: string, writing: string): void {
  let extra = 0;
  const onSignal = () => {
    extra++;
    if (extra === 1) {
      reportNote(
        command,
        `stopping: writing out ${writing}; interrupt again to exit at once, without them`,
      );
      return;
    }
    process.exit(INTERRUPTED_STATUS);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
