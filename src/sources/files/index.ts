/**
 * Reading input files, shared by the file-based sources: file-system failures and gzip
 * faults said in Harrier's words, with the compressed byte where gzip data goes bad.
 */
export { describeFileError } from './file-errors.js';
export {
  GZIP_LOCATE_LIMIT,
  GzipError,
  gunzipData,
  gzipErrorOf,
  hasGzipMagic,
} from './gzip-data.js';
