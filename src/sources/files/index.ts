/**
 * Reading input files, shared by the file-based sources: file-system failures and gzip
 * faults said in Harrier's words, with the compressed byte where gzip data goes bad; files
 * and in-memory bytes read as decompressed chunks or text lines; zip archives read member by
 * member within a size limit.
 */
export { describeFileError } from './file-errors.js';
export {
  GZIP_LOCATE_LIMIT,
  GzipError,
  gunzipData,
  gzipErrorOf,
  hasGzipMagic,
} from './gzip-data.js';
export {
  decompressedChunks,
  fileSource,
  readHead,
  type ByteSource,
  type ReadProgress,
} from './byte-source.js';
export { readTextLines, type TextLine } from './text-lines.js';
export { MAX_ZIP_MEMBER_BYTES, readZipMembers, ZipArchiveError } from './zip-archive.js';
export {
  readCheckedText,
  statOrUndefined,
  unreadableFileKind,
  UnreadableFileKindError,
} from './special-files.js';
