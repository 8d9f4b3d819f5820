/**
 * Where sysdig 0.29 (the differential test's reference) differs from today's libsinsp, field
 * by field, with the reason; and the rule fields the test cannot compare, with the reason.
 * Used by `index.test.ts` only.
 * @internal
 */
import type { SyscallEvent } from '../../../decode/event.js';
import { isEmptyParam, returnValue } from '../../../decode/state/event-params.js';
import { isMainThread } from '../../../decode/state/thread.js';

export interface KnownDifference {
  /** Field names (without bracket argument) the difference concerns. */
  fields: readonly string[];
  reason: string;
  /** Whether this event's disagreement (`ours` vs `theirs`, as printed) is this difference. */
  applies(event: SyscallEvent, ours: string, theirs: string, field: string): boolean;
}

const FD_FIELDS = [
  'fd.num', 'fd.type', 'fd.typechar', 'fd.name', 'fd.directory', 'fd.filename', 'fd.cip', 'fd.sip',
  'fd.rip', 'fd.lip', 'fd.cport', 'fd.sport', 'fd.lport', 'fd.rport', 'fd.sockfamily',
  'fd.connected', 'fd.name_changed', 'fd.l4proto', 'fd.nameraw', 'fd.cip.name', 'fd.sip.name',
  'fd.rip.name', 'fd.lip.name',
]; // prettier-ignore

/** `name=value` pairs of an evt.args text, split at the names this event's parameters have. */
function splitArgs(event: SyscallEvent, args: string): Map<string, string> {
  const names = event.info.params.map((p) => p.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const values = new Map<string, string>();
  if (names.length === 0) return values;
  const starts = [...args.matchAll(new RegExp(`(?:^| )(${names.join('|')})=`, 'g'))];
  starts.forEach((match, i) => {
    const from = (match.index ?? 0) + match[0].length;
    values.set(
      match[1],
      args.slice(from, i + 1 < starts.length ? starts[i + 1].index : args.length),
    );
  });
  return values;
}

/**
 * Whether two evt.args texts agree: sysdig prints the event as the capture holds it, Harrier in
 * today's layout (the converter may add parameters), so every parameter sysdig prints must
 * print the same here; sysdig 0.29 also ends the text with a blank.
 */
export function argsAgree(event: SyscallEvent, ours: string, theirs: string): boolean {
  if (ours === theirs.replace(/ $/, '')) return true;
  const mine = splitArgs(event, ours);
  const their = splitArgs(event, theirs.replace(/ $/, ''));
  if (their.size === 0) return false;
  return [...their].every(([name, value]) => mine.get(name) === value);
}

/** Parameter count of the record before the converter brought it to today's layout. */
function recordedParams(event: SyscallEvent): number {
  return (event as { paramCount?: number }).paramCount ?? event.rawParams.length;
}

function argumentPosition(event: SyscallEvent, field: string): number {
  const bracket = /^evt\.arg\[(\d+)\]$/.exec(field);
  if (bracket !== null) return Number(bracket[1]);
  return event.info.params.findIndex((param) => `evt.arg.${param.name}` === field);
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    fields: ['evt.args'],
    reason: 'libsinsp prints the arguments of generic syscall enter events (ID, nativeID) today; sysdig 0.29 printed none',
    applies: (event, _ours, theirs) => event.info.code === 0 && theirs.trim() === '',
  },
  {
    fields: ['evt.type', 'evt.arg'],
    reason: "syscall ids libs names today (or 'unknown') printed as <unknown> in sysdig 0.29",
    applies: (event, ours, theirs) => event.info.code <= 1 && theirs === '<unknown>' && ours !== '<unknown>',
  },
  {
    fields: ['evt.args', 'evt.arg'],
    reason: 'libsinsp prints empty byte buffers as NULL today; sysdig 0.29 printed nothing',
    applies: (event, ours, theirs) => ours.includes('NULL') && argsAgree(event, ours.replace(/=NULL(?= |$)/g, '='), theirs),
  },
  {
    fields: ['evt.args', 'evt.arg'],
    reason: 'socket families are ENUMFLAGS today, so every name of an equal value prints (AF_LOCAL|AF_UNIX)',
    applies: (event, ours, theirs) => event.info.name === 'socket' && ours.replace('|AF_UNIX', '') === theirs.replace(/ $/, ''),
  },
  {
    fields: ['evt.arg'],
    reason: "exit events converted to today's layout carry parameters the old record lacked (taken from the enter event); sysdig 0.29 shows the record as written",
    applies: (event, _ours, theirs, field) => theirs === '<NA>' && argumentPosition(event, field) >= recordedParams(event),
  },
  {
    fields: ['evt.arg', 'evt.args'],
    reason: 'mmap/mmap2 exit res became PT_ERRNO (decimal) in libs; sysdig 0.29 printed it as PT_UINT64 hex',
    applies: (event, ours, theirs) => event.info.name.startsWith('mmap') && event.info.direction === 'exit' && /res=-?\d+/.test(`res=${ours}`) && /[A-F0-9]/.test(theirs),
  },
  {
    fields: FD_FIELDS,
    reason: 'mmap/mmap2 carry EF_USES_FD in libs today, so their fd fields are extracted; sysdig 0.29 had none',
    applies: (event, _ours, theirs) => event.info.name.startsWith('mmap') && theirs === '<NA>',
  },
  {
    fields: ['fd.typechar'],
    reason: "libsinsp's typechar guess for fd-less events no longer lists open (gives 'o'); sysdig 0.29 gave 'f'",
    applies: (event, ours, theirs) => event.info.name === 'open' && event.fd === undefined && ours === 'o' && theirs === 'f',
  },
  {
    fields: ['proc.pid', 'proc.ppid', 'proc.cwd'],
    reason: "threads unknown to the state are placeholders with pid -1 and no main thread in libs today (proc.pid -1, proc.ppid <NA>, cwd './'); sysdig 0.29 used the tid as pid",
    applies: (event) => event.thread?.pid === -1,
  },
  {
    fields: ['proc.sname'],
    reason: 'proc.sname looks the session leader up by sid in libs today and is empty when the sid is -1 or its leader is gone; sysdig 0.29 walked the parents',
    applies: (_event, ours) => ours === '',
  },
  {
    fields: ['proc.vpid'],
    reason: 'libs today sets vpid = pid for threads it learns from an execve or clone outside pid namespaces; sysdig 0.29 left -1 (<NA>) when old events lacked vpid',
    applies: (event, ours, theirs) => theirs === '<NA>' && ours === String(event.thread?.pid),
  },
  {
    fields: [...FD_FIELDS, 'evt.arg', 'evt.args'],
    reason: 'a send on an fd never seen created makes libs today infer a UDP socket (infer_send_sendto_sendmsg_fdinfo); sysdig 0.29 kept no fd',
    applies: (event) => event.fd?.inferredFromSend === true,
  },
  {
    fields: ['group.gid'],
    reason: 'sysdig 0.29 widened an unset 32-bit gid of a clone child to 8589934591; libs keeps 4294967295',
    applies: (_event, ours, theirs) => ours === '4294967295' && theirs === '8589934591',
  },
  {
    fields: ['proc.pname', 'proc.pcmdline', 'proc.ppid', 'proc.aname', 'proc.pexe', 'proc.pexepath'],
    reason: "parent fields of a non-main thread name its process's parent in libs today (get_ancestor_process); sysdig 0.29 used the thread's ptid",
    applies: (event) => event.thread !== undefined && !isMainThread(event.thread),
  },
  {
    fields: ['evt.buffer'],
    reason: 'an empty data buffer is not extractable in libs today (legacy null encoding); sysdig 0.29 printed an empty string',
    applies: (event, ours, theirs) => ours === '<NA>' && theirs === '' && isEmptyParam(event, 1),
  },
  {
    fields: [...FD_FIELDS, 'evt.arg', 'evt.args'],
    reason: 'connect overwrites the destination of a connected datagram socket in libs today (overwrite_dest); sysdig 0.29 kept the first one',
    applies: (event) => event.fd?.l4Protocol === 'udp' && event.fd.kind === 'ipv6' && event.fd.role === 'client',
  },
  {
    fields: ['fd.name', 'fd.name_changed'],
    reason: 'a failed connect (not EINPROGRESS) leaves the socket unnamed in libs today; sysdig 0.29 named it after the tuple',
    applies: (event, ours) => event.info.name === 'connect' && event.info.direction === 'exit' && returnValue(event) < 0 && (ours === '' || ours === 'false'),
  },
]; // prettier-ignore

/** Rule fields compared only with an index argument, and why not without. */
export const NOT_COMPARED_WITHOUT_INDEX: Readonly<Record<string, string>> = {
  'proc.aname': 'sysdig 0.29 cannot print it without an index; compared as proc.aname[1] to [7]',
};

/** Rule fields the differential test does not compare against sysdig 0.29, and why. */
export const NOT_COMPARED: Readonly<Record<string, string>> = {
  'fd.ip': 'filter-only (any-of both ends); its ends are compared as fd.cip and fd.sip',
  'fd.port': 'filter-only (any-of both ends); compared as fd.cport and fd.sport',
  'fd.net': 'filter-only (any-of both ends); compared as fd.cip and fd.sip',
  'fd.cnet': 'filter-only; its address is compared as fd.cip',
  'fd.snet': 'filter-only; its address is compared as fd.sip',
  'fd.rnet': 'filter-only; its address is compared as fd.rip',
  'fd.lnet': 'filter-only; its address is compared as fd.lip',
  'fd.nameraw': 'not in sysdig 0.29',
  'proc.pexe': 'not in sysdig 0.29',
  'proc.aexe': 'not in sysdig 0.29',
  'proc.pexepath': 'not in sysdig 0.29',
  'proc.aexepath': 'not in sysdig 0.29',
  'proc.exe_ino': 'not in sysdig 0.29',
  'proc.exe_ino.ctime': 'not in sysdig 0.29',
  'proc.exe_ino.mtime': 'not in sysdig 0.29',
  'proc.exe_ino.ctime_duration_proc_start': 'not in sysdig 0.29',
  'proc.is_exe_from_memfd': 'not in sysdig 0.29',
  'proc.is_exe_upper_layer': 'not in sysdig 0.29',
  'proc.is_vpgid_leader': 'not in sysdig 0.29',
  'thread.cap_effective': 'not in sysdig 0.29',
  'thread.cap_permitted': 'not in sysdig 0.29',
  'container.start_ts': 'not in sysdig 0.29 (container plugin field)',
  'container.name': 'needs container engine metadata, which captures do not carry (container plugin)',
  'container.image': 'needs container engine metadata (container plugin)',
  'container.mount': 'needs container engine metadata (container plugin)',
  'container.mounts': 'needs container engine metadata (container plugin)',
  'container.privileged': 'needs container engine metadata (container plugin)',
}; // prettier-ignore
