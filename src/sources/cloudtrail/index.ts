/**
 * Source `aws_cloudtrail`: CloudTrail records from log files (`.json`, `.json.gz`, JSON
 * lines), directory trees as CloudTrail lays them out in S3, and streams such as stdin.
 * Records leave here as parsed JSON with their file and line.
 */
export { readTrailText, recordsOf, type TrailRead } from './trail-text.js';
export { isDirectory, readTrailFile } from './trail-files.js';
export { TrailWatch } from './trail-watch.js';
export { readTrailStream } from './trail-stream.js';
