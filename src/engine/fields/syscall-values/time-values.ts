/**
 * The time fields of syscall events, read the same way as on every other source (see
 * `event-generic.ts`), with the raw nanoseconds in `output_fields` as libsinsp gives them.
 */
import type { SyscallEvent } from '../../../decode/event.js';
import { isoTimeText, timeText } from '../event-generic.js';
import type { SyscallFieldValues } from './types.js';

const rawTime = { jsonValue: (event: SyscallEvent) => event.ts };

export const TIME_VALUES: SyscallFieldValues = {
  'evt.time': { extract: (event) => timeText(event.ts, false, true), ...rawTime },
  // The output time format is libsinsp's default ('h'), the only one Harrier offers.
  'evt.outputtime': { extract: (event) => timeText(event.ts, false, true), ...rawTime },
  'evt.time.s': { extract: (event) => timeText(event.ts, false, false), ...rawTime },
  'evt.time.iso8601': { extract: (event) => isoTimeText(event.ts), ...rawTime },
  'evt.datetime': { extract: (event) => timeText(event.ts, true, true), ...rawTime },
  'evt.datetime.s': { extract: (event) => timeText(event.ts, true, false), ...rawTime },
};
