/**
 * Events of a type code past Harrier's event table, which a capture reader skips as libscap
 * skips them: counted per capture, with the first place of each type, for one warning each.
 */
import type { UnknownEventRecord } from '../decode/pipeline.js';
import { counted } from './stderr-report.js';

/** Types remembered with their first offset; events of further types are only counted. */
const MAX_TYPES = 10;

/** One event type skipped: where its first event was and how many there were. */
interface UnknownEventType {
  eventType: number;
  /** Byte offset of its first event's block. */
  offset: number;
  count: number;
}

/** The unknown-type events of one capture. */
export class UnknownEvents {
  count = 0;
  /** Whether offsets count bytes of a gzip file's uncompressed stream. */
  uncompressed = false;
  readonly types: UnknownEventType[] = [];

  /** Counts one skipped event. */
  add({ offset, eventType }: UnknownEventRecord): void {
    this.count++;
    const known = this.types.find((type) => type.eventType === eventType);
    if (known !== undefined) known.count++;
    else if (this.types.length < MAX_TYPES) this.types.push({ eventType, offset, count: 1 });
  }

  /** The warning for `path`, or undefined when no event was skipped. */
  warning(path: string): string | undefined {
    if (this.count === 0) return undefined;
    const byte = this.uncompressed ? 'uncompressed byte' : 'byte';
    const where = this.types.map(
      ({ eventType, offset, count }) =>
        `type 0x${eventType.toString(16)} first at ${byte} ${offset}: ${count}`,
    );
    const listed = this.types.reduce((sum, type) => sum + type.count, 0);
    if (listed < this.count) where.push(`${this.count - listed} of other types`);
    return `${path}: ${counted(this.count, 'event')} of a type newer than Harrier's event table skipped, as libscap skips them (${where.join(', ')}); they have no event number, as in Falco`;
  }
}
