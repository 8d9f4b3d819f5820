/**
 * The drop notes of one capture under replay (see drop-notes.ts): each goes through a drop
 * monitor as its STATS frame went live, raising the same "syscall event drop" alerts, and the
 * totals become a summary warning that the capture has gaps.
 */
import type { Alert } from '../alerts/alert.js';
import { alertHostname, type TimeFormat } from '../alerts/alert-factory.js';
import type { SyscallEvent } from '../decode/event.js';
import { DropNoteError, readDropNote } from './drop-notes.js';
import { DropMonitor } from './live-drops.js';
import { counted } from './stderr-report.js';

export interface RecordedDropsOptions {
  onAlert: (alert: Alert) => void;
  hostname?: string;
  timeFormat?: TimeFormat;
}

export class RecordedDrops {
  /** Notes read. */
  notes = 0;
  /** `harrier_drops` events whose data was not a note, and the first one's fault. */
  malformed = 0;
  firstFault: { num: number; reason: string } | undefined;
  private readonly monitor: DropMonitor;

  constructor(options: RecordedDropsOptions) {
    this.monitor = new DropMonitor({
      onAlert: options.onAlert,
      hostname: alertHostname(options.hostname),
      timeFormat: options.timeFormat,
    });
  }

  /** Takes `event` when it is a drop note (rules do not see notes, as they did not live). */
  take(event: SyscallEvent): boolean {
    try {
      const note = readDropNote(event);
      if (note === undefined) return false;
      this.notes++;
      this.monitor.replayNote(note);
    } catch (error) {
      if (!(error instanceof DropNoteError)) throw error;
      this.malformed++;
      this.firstFault ??= { num: event.num, reason: error.message };
    }
    return true;
  }

  get totals() {
    return this.monitor.totals;
  }

  /** Drop alerts raised. */
  get alerts(): number {
    return this.monitor.alerts;
  }

  /** The warning for `path`: the events its recording lost, or notes that made no sense. */
  warnings(path: string): string[] {
    const warnings: string[] = [];
    const { kernel, userspace, byReason } = this.monitor.totals;
    if (kernel > 0 || userspace > 0) {
      const parts = Object.entries(byReason)
        .filter(([, count]) => count > 0)
        .map(([reason, count]) => `${reason} ${count}`);
      if (userspace > 0) parts.push(`not decodable by Harrier ${userspace}`);
      warnings.push(
        `${path}: the live capture lost ${counted(kernel + userspace, 'event')} while this was recorded (${parts.join(', ')}): alerts on them are missing here, as they were live`,
      );
    }
    if (this.firstFault !== undefined) {
      const { num, reason } = this.firstFault;
      warnings.push(
        `${path}: ${counted(this.malformed, 'drop note')} unreadable, skipped (the first, event ${num}: ${reason})`,
      );
    }
    return warnings;
  }
}
