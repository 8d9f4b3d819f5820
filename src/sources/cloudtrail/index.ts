/**
 * Source `aws_cloudtrail`: CloudTrail records from log files (`.json`, `.json.gz`, JSON
 * lines, zip archives of them), directory trees as CloudTrail lays them out in S3, and
 * streams such as stdin, plain or gzip. Records leave here as parsed JSON with their file,
 * line and column.
 */
export { readTrailText, recordsOf, type TrailRead } from './trail-text.js';
export { isDirectory, readTrailFile } from './trail-files.js';
export { TrailWatch } from './trail-watch.js';
export { TRAIL_LEDGER_TABLES, TrailLedger, type ForgottenFiles } from './trail-ledger.js';
export { readTrailStream } from './trail-stream.js';
