/**
 * Process-list blocks, versions 1 to 9: one entry per thread alive when the capture started.
 * Each version appends fields; version 9 prefixes every entry with its length, and fields
 * added later are read only when that length says they are there.
 */
import { BlockCursor } from './block-cursor.js';
import type { RecordSink, ThreadRecord } from './records.js';

const MAX_PATH = 1024;
const MAX_ARGS = 4096;
const MAX_ENV = 4096;
const MAX_CGROUPS = 4096;

/**
 * Bytes of the fields libs wrote after the version-9 base before release 0.10 (login uid,
 * exe_writable and three capability sets). An entry with at most this many bytes left is of
 * that layout, which lacks the pidns start time and tty written in between since.
 */
const PRE_0_10_TAIL = 29;

function readBase(cursor: BlockCursor, version: number, entry: ThreadRecord): void {
  entry.tid = cursor.i64('tid');
  entry.pid = cursor.i64('pid');
  entry.ptid = cursor.i64('ptid');
  if (version >= 6) entry.sid = cursor.i64('sid');
  if (version >= 8) entry.vpgid = cursor.i64('vpgid');
  entry.comm = cursor.string16('comm', MAX_PATH);
  entry.exe = cursor.string16('exe', MAX_PATH);
  if (version >= 7) entry.exepath = cursor.string16('exepath', MAX_PATH);
  entry.args = cursor.stringList16('args', MAX_ARGS);
  entry.cwd = cursor.string16('cwd', MAX_PATH);
  entry.fdlimit = cursor.i64('fdlimit');
  entry.flags = cursor.u32('flags');
  entry.uid = cursor.u32('uid');
  entry.gid = cursor.u32('gid');
  if (version < 2) return;
  entry.vmsizeKb = cursor.u32('vmsize');
  entry.vmrssKb = cursor.u32('vmrss');
  entry.vmswapKb = cursor.u32('vmswap');
  entry.pageFaultsMajor = cursor.i64('pfmajor');
  entry.pageFaultsMinor = cursor.i64('pfminor');
  if (version >= 3) entry.env = cursor.stringList16('env', MAX_ENV);
  if (version < 4) return;
  entry.vtid = cursor.i64('vtid');
  entry.vpid = cursor.i64('vpid');
  entry.cgroups = cursor.stringList16('cgroups', MAX_CGROUPS);
  if (version >= 5) entry.root = cursor.string16('root', MAX_PATH);
}

/** Fields after the base, present only when the entry's own length leaves room for them. */
function readTail(cursor: BlockCursor, entryEnd: number, entry: ThreadRecord): void {
  const fits = (size: number): boolean => cursor.position + size <= entryEnd;
  if (entryEnd - cursor.position > PRE_0_10_TAIL) {
    if (fits(8)) entry.pidnsInitStartTimestamp = cursor.u64('pidns_init_start_ts');
    if (fits(4)) entry.tty = cursor.u32('tty');
  }
  if (fits(4)) entry.loginuid = cursor.u32('loginuid');
  if (fits(1)) entry.exeWritable = cursor.u8('exe_writable') !== 0;
  if (fits(8)) entry.capInheritable = cursor.u64('cap_inheritable');
  if (fits(8)) entry.capPermitted = cursor.u64('cap_permitted');
  if (fits(8)) entry.capEffective = cursor.u64('cap_effective');
  if (fits(1)) entry.exeUpperLayer = cursor.u8('exe_upper_layer') !== 0;
  if (fits(8)) entry.exeIno = cursor.u64('exe_ino');
  if (fits(8)) entry.exeInoCtime = cursor.u64('exe_ino_ctime');
  if (fits(8)) entry.exeInoMtime = cursor.u64('exe_ino_mtime');
  if (fits(1)) entry.exeFromMemfd = cursor.u8('exe_from_memfd') !== 0;
  if (fits(1)) entry.exeLowerLayer = cursor.u8('exe_lower_layer') !== 0;
  if (fits(8)) entry.pgid = cursor.i64('pgid');
}

function emptyThread(offset: number, version: number): ThreadRecord {
  return {
    kind: 'thread', offset, version, tid: 0, pid: 0, ptid: 0, sid: -1, vpgid: -1, pgid: -1,
    comm: '', exe: '', exepath: '', args: [], env: [], cwd: '', fdlimit: 0, flags: 0, uid: 0,
    gid: 0, loginuid: 0xffffffff, vmsizeKb: 0, vmrssKb: 0, vmswapKb: 0, pageFaultsMajor: 0,
    pageFaultsMinor: 0, vtid: -1, vpid: -1, cgroups: [], root: '', pidnsInitStartTimestamp: 0n,
    tty: 0, exeWritable: false, exeUpperLayer: false, exeLowerLayer: false, exeFromMemfd: false,
    capInheritable: 0n, capPermitted: 0n, capEffective: 0n, exeIno: 0n, exeInoCtime: 0n,
    exeInoMtime: 0n,
  }; // prettier-ignore
}

/** Parse the entries of a process-list block body of format `version` (1 to 9). */
export function readProcList(
  cursor: BlockCursor,
  version: number,
  out: RecordSink<ThreadRecord>,
): void {
  while (cursor.remaining >= 4) {
    const entry = emptyThread(cursor.blockOffset, version);
    if (version < 9) {
      readBase(cursor, version, entry);
      out.push(entry);
      continue;
    }
    const entryStart = cursor.position;
    const length = cursor.u32('entry length');
    if (length === 0) {
      // A zero length means "not recorded": libs then reads the base fields only.
      readBase(cursor, version, entry);
      out.push(entry);
      continue;
    }
    const entryEnd = entryStart + length;
    if (length < 4 || entryEnd > cursor.end)
      cursor.fail(`process entry length ${length} is invalid`);
    readBase(cursor, version, entry);
    if (cursor.position > entryEnd) cursor.fail(`process entry overruns its length ${length}`);
    readTail(cursor, entryEnd, entry);
    cursor.position = entryEnd;
    out.push(entry);
  }
}
