/**
 * Which events the live probe captures: those the loaded rules can match (their `evt.type`
 * sets) plus those the state engine needs whatever the rules say, limited to the events the
 * probe builds. Everything else is dropped in the kernel.
 */
import type { RuleSet } from '../detect/index.js';
import type { ProbeReadyRecord } from '../sources/ebpf/frame-reader.js';
import {
  HANDLED_EVENT_NAMES,
  selectFilterSlots,
  STATE_EVENT_NAMES,
  SYSCALL_NUMBERS,
} from '../sources/ebpf/syscall-selection.js';
import { succeededOnlyNames } from './failed-calls.js';

/** File reads and writes and socket receives: data transfers that dwarf everything else. */
const BULK_DATA_EVENTS: ReadonlySet<string> = new Set(
  'read write pread pwrite readv writev preadv pwritev recvfrom recvmsg recvmmsg'.split(' '),
);

/**
 * Every event the probe handles but the bulk data transfers, which few rules need: the set
 * `harrier record` captures by default.
 */
export const DEFAULT_RECORD_EVENTS: readonly string[] = [...HANDLED_EVENT_NAMES].filter(
  (name) => !BULK_DATA_EVENTS.has(name),
);

/** The probe's event set for a ruleset, and what the rules name that it cannot capture. */
export interface SyscallSet {
  /** Event names captured, sorted. */
  names: string[];
  /** Filter slots to enable in the probe. */
  slots: number[];
  /** Names the rules use that the probe does not produce (their rules never fire live). */
  uncaptured: string[];
  /** Names whose failed calls no rule can match and the state ignores, sorted (`failed-calls.ts`). */
  succeededOnly: string[];
  /** Their filter slots: the probe reports only the calls that succeeded. */
  succeededOnlySlots: number[];
}

/**
 * The set for `ruleSet`; with no ruleset or when a syscall rule matches every event type
 * (no `evt.type` restriction), every event the probe handles. Without a ruleset (recording)
 * failed calls are always captured. `uncaptured` comes from the rules that name event types,
 * whatever the others do: a rule on an event the probe never builds stays dead either way.
 *
 * @example
 * syscallSetFor(ruleSet).slots // e.g. [2, 3, 32, ..., 512]
 */
export function syscallSetFor(ruleSet: RuleSet | undefined): SyscallSet {
  const types = ruleSet === undefined ? null : ruleSet.eventTypes('syscall');
  const wanted = new Set<string>(STATE_EVENT_NAMES);
  for (const name of types ?? HANDLED_EVENT_NAMES)
    if (HANDLED_EVENT_NAMES.has(name)) wanted.add(name);
  const names = [...wanted].sort();
  const succeededOnly = ruleSet === undefined ? [] : succeededOnlyNames(ruleSet, names);
  return {
    names,
    slots: selectFilterSlots(names).slots,
    uncaptured: ruleSet === undefined ? [] : namedUncaptured(ruleSet),
    succeededOnly,
    succeededOnlySlots: selectFilterSlots(succeededOnly).slots,
  };
}

/** Event types named by the enabled syscall rules that the probe does not build, sorted. */
function namedUncaptured(ruleSet: RuleSet): string[] {
  const uncaptured = new Set<string>();
  for (const rule of ruleSet.enabledRules('syscall'))
    for (const name of rule.eventTypes ?? [])
      if (!HANDLED_EVENT_NAMES.has(name)) uncaptured.add(name);
  return [...uncaptured].sort();
}

/** Help of `--watch-unimplemented-syscalls` (run and record). */
export const WATCH_UNIMPLEMENTED_HELP =
  'also watch the syscalls this kernel does not implement (init_module without module support), ' +
  'which have no tracepoint of their own: a program then runs on every syscall, slowing the host';

/**
 * Of the captured event names, those the probe cannot see on this kernel: syscalls without a
 * tracepoint of their own while the raw path is off. Their calls only fail (ENOSYS).
 */
export function unwatchedEvents(
  names: readonly string[],
  ready: Pick<ProbeReadyRecord, 'rawPath' | 'untracedSyscalls'>,
): string[] {
  if (ready.rawPath) return [];
  const untraced = new Set(ready.untracedSyscalls);
  return names.filter((name) => untraced.has(SYSCALL_NUMBERS.get(name) ?? -1));
}
