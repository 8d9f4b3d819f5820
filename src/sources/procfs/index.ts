/**
 * Start-up state of a live capture from `/proc` and `/etc`: processes, threads, descriptors,
 * users, groups, interfaces and the machine, as `.scap` header records.
 */
export {
  readProcSnapshot,
  snapshotRecords,
  type ProcSnapshot,
  type ProcSnapshotOptions,
} from './proc-snapshot.js';
export { readThread, type ProcThreadRecord } from './proc-thread.js';
export { readProcessFds, scapOpenFlags } from './proc-fds.js';
export { readSocketTables, type SocketEntry } from './socket-tables.js';
export { parseGroups, parsePasswd } from './host-tables.js';
