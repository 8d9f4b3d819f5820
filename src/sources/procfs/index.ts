/**
 * Start-up state of a live capture from `/proc` and `/etc`: processes, threads, descriptors,
 * users, groups, interfaces and the machine, as `.scap` header records; and, while capture
 * runs, whether a thread still exists (`readThreadStart`).
 */
export {
  readProcSnapshot,
  snapshotRecords,
  type ProcSnapshot,
  type ProcSnapshotOptions,
} from './proc-snapshot.js';
export { readThreadStart } from './thread-start.js';
