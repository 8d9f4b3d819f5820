/**
 * The `syscall` source's field table: libsinsp's own fields plus the container and Kubernetes
 * fields of Falco's container plugin. Definitions carry names, types and flags only; the
 * extractors, which read the state engine, are attached with `createSyscallFieldTable`.
 */
import type { SyscallEvent } from '../../decode/event.js';
import type { FieldTable } from './types.js';
import { createFieldTable, defineFields, type FieldRowOptions } from './rows.js';
import { rawArgumentType } from './syscall-args.js';
import { EVENT_FIELD_ROWS } from './syscall-evt.js';
import { PROCESS_FIELD_ROWS } from './syscall-proc.js';
import { DESCRIPTOR_FIELD_ROWS } from './syscall-fd.js';
import { CONTAINER_FIELD_ROWS } from './container.js';

/** The source name syscall rules use. */
export const SYSCALL_SOURCE = 'syscall';

/** Behaviour to add to named syscall fields: extractors, candidates, display. */
export type SyscallFieldParts = Readonly<
  Record<string, Pick<FieldRowOptions<SyscallEvent>, 'extract' | 'candidates' | 'display'>>
>;

function syscallDefinitions() {
  const native = defineFields<SyscallEvent>([
    ...EVENT_FIELD_ROWS,
    ...PROCESS_FIELD_ROWS,
    ...DESCRIPTOR_FIELD_ROWS,
  ]);
  const rawarg = native.find((definition) => definition.name === 'evt.rawarg');
  if (rawarg) rawarg.typeForArgument = rawArgumentType;
  const container = defineFields<SyscallEvent>(CONTAINER_FIELD_ROWS, { plugin: 'container' });
  return [...native, ...container];
}

/**
 * Builds the syscall table, merging `parts` into the fields they name. Does not mutate
 * `parts`; each call returns a fresh table.
 * @throws RangeError when `parts` names a field the table does not have.
 */
export function createSyscallFieldTable(parts: SyscallFieldParts = {}): FieldTable<SyscallEvent> {
  const table = createFieldTable(SYSCALL_SOURCE, syscallDefinitions());
  for (const [name, extra] of Object.entries(parts)) {
    const definition = table.fields.get(name);
    if (!definition) throw new RangeError(`no syscall field is called '${name}'`);
    Object.assign(definition, extra);
  }
  return table;
}
