/**
 * The alert `harrier run` delivers when live capture ends without being asked to (the probe
 * loader died or was stopped by another process): outputs and the store learn that syscall
 * monitoring of the host has ended, not only the log.
 */
import type { Alert } from '../alerts/alert.js';
import type { TimeFormat } from '../alerts/alert-factory.js';
import { isoTime } from '../alerts/format.js';
import { localTime } from './live-drops.js';

/** A Harrier rule name, in the form of Falco's internal ones, for the end of live capture. */
export const CAPTURE_STOPPED_RULE = 'Harrier internal: live capture stopped';

export interface CaptureStoppedOptions {
  hostname: string;
  timeFormat?: TimeFormat;
  /** When capture ended, ms since the epoch; default now. */
  nowMs?: number;
}

/** The Critical alert naming why capture stopped (`reason`, e.g. the probe's failure). */
export function captureStoppedAlert(reason: string, options: CaptureStoppedOptions): Alert {
  const time = BigInt(options.nowMs ?? Date.now()) * 1_000_000n;
  const shown = options.timeFormat === 'iso8601' ? isoTime(time, '+0000') : localTime(time);
  const message = `${CAPTURE_STOPPED_RULE}; syscall events are no longer watched (reason=${reason})`;
  return {
    time,
    rule: CAPTURE_STOPPED_RULE,
    priority: 'Critical',
    source: 'syscall',
    hostname: options.hostname,
    output: `${shown}: Critical ${message}`,
    outputFields: new Map([['reason', reason]]),
    tags: [],
  };
}
