/**
 * The shape of the syscall field values: per field name, how its value is read from an event
 * with state attached.
 * @internal
 */
import type { SyscallEvent } from '../../../decode/event.js';
import type { FieldDefinition } from '../types.js';

/** Behaviour of syscall fields, keyed by field name as the registry spells it. */
export type SyscallFieldValues = Record<
  string,
  Pick<
    FieldDefinition<SyscallEvent>,
    | 'extract'
    | 'candidates'
    | 'notEqualOnEveryCandidate'
    | 'typeForArgument'
    | 'display'
    | 'jsonValue'
    | 'validateConstant'
  >
>;
