/**
 * The `.scap` capture reader: records in file order, events left as raw bytes for
 * `decode/event-decoder.ts`.
 */
export { CaptureFileChunks } from './byte-stream.js';
export { hasCaptureMagic } from './block-types.js';
export { readScapBatches, type ScapInput } from './scap-reader.js';
export {
  FD_TYPE_NAMES,
  ScapFormatError,
  type EventRecord,
  type FdRecord,
  type FdTypeName,
  type GroupRecord,
  type InterfaceRecord,
  type MachineRecord,
  type ScapRecord,
  type ThreadRecord,
  type UnknownBlockRecord,
  type UserRecord,
} from './records.js';
