/**
 * The values of the syscall fields: for each field name, how libsinsp's value is read from a
 * `SyscallEvent` with state attached (`decode/state`). Merged into the syscall field table by
 * `withValues`. A field absent here has no value yet (`<NA>`).
 */
import type { SyscallEvent } from '../../../decode/event.js';
import type { FieldTable } from '../types.js';
import { EVENT_VALUES } from './event-values.js';
import { FD_VALUES } from './fd-values.js';
import { FSPATH_VALUES } from './fspath-values.js';
import { PROCESS_VALUES, THREAD_VALUES } from './process-values.js';
import type { SyscallFieldValues } from './types.js';
import { USER_VALUES } from './user-values.js';
import { TIME_VALUES } from './time-values.js';
import { CONTAINER_VALUES } from './container-values.js';

export type { SyscallFieldValues } from './types.js';
export { ContainerIdMemo, containerIdOf } from './container-id.js';

/** Every syscall field Harrier can read, keyed by the name the registry uses. */
export const syscallFieldValues: SyscallFieldValues = {
  ...EVENT_VALUES,
  ...PROCESS_VALUES,
  ...THREAD_VALUES,
  ...FD_VALUES,
  ...FSPATH_VALUES,
  ...USER_VALUES,
  ...TIME_VALUES,
  ...CONTAINER_VALUES,
};

/**
 * Adds the behaviour in `values` to the definitions of `table` with the same names. Mutates
 * and returns `table`.
 * @throws RangeError when `values` names a field the table does not have.
 */
export function withValues(
  table: FieldTable<SyscallEvent>,
  values: SyscallFieldValues = syscallFieldValues,
): FieldTable<SyscallEvent> {
  for (const [name, value] of Object.entries(values)) {
    const definition = table.fields.get(name);
    if (definition === undefined) throw new RangeError(`no syscall field is called '${name}'`);
    Object.assign(definition, value);
  }
  return table;
}
