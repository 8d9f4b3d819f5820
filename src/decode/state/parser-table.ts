/**
 * Which state parser handles which event: libsinsp's `process_event` switch, keyed by event
 * name. Only today's exit layouts are parsed (the decoder converts older ones); process exit
 * is parsed on its enter event, as it has no exit.
 */
import type { EventInfo } from '../event.js';
import { EVENT_TABLE } from '../event-table.js';
import type { StateParser } from './context.js';
import {
  credentialParser, parseCapset, parseChdir, parseChroot, parseExecve, parseFchdir, parseGetcwd,
  parsePrctl, parseProcexit, parseSetsid, parseUnshareSetns,
} from './exec-parsers.js'; // prettier-ignore
import {
  parseClose, parseCloseRange, parseDup, parseFcntl, parseMemfdCreate, parseOpen, parsePidfdOpen,
  parsePipe, singleFdParser,
} from './fd-parsers.js'; // prettier-ignore
import { parseClone } from './process-parsers.js';
import {
  ioParser, parseAccept, parseBind, parseConnect, parseSocket, parseSocketpair,
} from './socket-parsers.js'; // prettier-ignore

const EPOLL_CLOEXEC = 1;
const readParser = ioParser(true);
const writeParser = ioParser(false);

/** Exit-event parsers by event name. */
const EXIT_PARSERS: Readonly<Record<string, StateParser>> = {
  open: parseOpen, openat: parseOpen, openat2: parseOpen, creat: parseOpen,
  open_by_handle_at: parseOpen,
  clone: parseClone, fork: parseClone, vfork: parseClone, clone3: parseClone,
  execve: parseExecve, execveat: parseExecve,
  pipe: parsePipe, pipe2: parsePipe,
  socket: parseSocket, socketpair: parseSocketpair, bind: parseBind, connect: parseConnect,
  accept: parseAccept, accept4: parseAccept,
  close: parseClose, close_range: parseCloseRange, fcntl: parseFcntl,
  dup: parseDup, dup2: parseDup, dup3: parseDup,
  eventfd: singleFdParser('event'), eventfd2: singleFdParser('event', 1),
  signalfd: singleFdParser('signalfd'), signalfd4: singleFdParser('signalfd', 1),
  timerfd_create: singleFdParser('timerfd', 2), inotify_init: singleFdParser('inotify'),
  inotify_init1: singleFdParser('inotify', 1), bpf: singleFdParser('bpf'),
  userfaultfd: singleFdParser('userfaultfd'), io_uring_setup: singleFdParser('io_uring'),
  epoll_create: singleFdParser('eventpoll'),
  epoll_create1: singleFdParser('eventpoll', 1, EPOLL_CLOEXEC),
  memfd_create: parseMemfdCreate, pidfd_open: parsePidfdOpen,
  chdir: parseChdir, fchdir: parseFchdir, getcwd: parseGetcwd, chroot: parseChroot,
  setsid: parseSetsid, capset: parseCapset, unshare: parseUnshareSetns, setns: parseUnshareSetns,
  prctl: parsePrctl,
  setuid: credentialParser('uid', 1), setreuid: credentialParser('uid', 2),
  setresuid: credentialParser('uid', 2), setgid: credentialParser('gid', 1),
  setregid: credentialParser('gid', 2), setresgid: credentialParser('gid', 2),
  read: readParser, readv: readParser, pread: readParser, preadv: readParser, recv: readParser,
  recvfrom: readParser, recvmsg: readParser, recvmmsg: readParser,
  write: writeParser, writev: writeParser, pwrite: writeParser, pwritev: writeParser,
  send: writeParser, sendto: writeParser, sendmsg: writeParser, sendmmsg: writeParser,
}; // prettier-ignore

function buildTable(): Array<StateParser | undefined> {
  return EVENT_TABLE.map((info) => {
    if (info.name === 'procexit' && info.direction === 'enter' && !info.flags.has('OLD_VERSION')) {
      return parseProcexit;
    }
    if (info.direction !== 'exit' || info.flags.has('OLD_VERSION')) return undefined;
    return EXIT_PARSERS[info.name];
  });
}

let parsers: Array<StateParser | undefined> | undefined;

/** The parser for events of type `info`, or undefined when the event changes no state. */
export function parserFor(info: EventInfo): StateParser | undefined {
  parsers ??= buildTable();
  return parsers[info.code];
}
