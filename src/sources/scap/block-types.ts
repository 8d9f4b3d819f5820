/**
 * Block type numbers of the `.scap` capture format (a pcapng-like sequence of blocks: type,
 * total length, body, total length again), with the pre-release numbers old captures still use.
 */

/** Section header block; also the file's magic bytes `0A 0D 0D 0A`. */
export const SECTION_HEADER_BLOCK = 0x0a0d0d0a;
/** Byte-order magic inside the section header, as a little-endian writer stores it. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/**
 * Whether `head`, the first bytes of an uncompressed stream, starts a capture: the section
 * header block type, then (after the block length) the byte-order magic in either order. The
 * block type alone is four whitespace bytes that a JSON text could start with.
 */
export function hasCaptureMagic(head: Uint8Array): boolean {
  if (head.length < 12) return false;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint32(8, true);
  return (
    view.getUint32(0, true) === SECTION_HEADER_BLOCK &&
    (magic === BYTE_ORDER_MAGIC || magic === 0x4d3c2b1a)
  );
}

export const MACHINE_INFO_BLOCKS: ReadonlySet<number> = new Set([0x201, 0x8002abcd]);

/** Process list blocks, version by version (1 to 9). */
export const PROC_LIST_VERSION: ReadonlyMap<number, number> = new Map([
  [0x202, 1],
  [0x8000abcd, 1],
  [0x207, 2],
  [0x8013abcd, 2],
  [0x209, 3],
  [0x8014abcd, 3],
  [0x210, 4],
  [0x211, 5],
  [0x212, 6],
  [0x213, 7],
  [0x214, 8],
  [0x215, 9],
]);

export const FD_LIST_BLOCK = 0x203;
export const FD_LIST_BLOCK_OLD = 0x8001abcd;
/** Fd list entries prefixed with their own length. */
export const FD_LIST_BLOCK_V2 = 0x218;

export const INTERFACE_LIST_BLOCKS: ReadonlySet<number> = new Set([0x205, 0x8011abcd, 0x219]);
/** Interface list entries prefixed with their own length. */
export const INTERFACE_LIST_BLOCK_V2 = 0x219;

export const USER_LIST_BLOCKS: ReadonlySet<number> = new Set([0x206, 0x8012abcd, 0x220]);
/** User and group list entries prefixed with their own length. */
export const USER_LIST_BLOCK_V2 = 0x220;

/** How an event block is laid out: whether it carries 32 bits of flags and an `nparams` field. */
export interface EventBlockLayout {
  hasFlags: boolean;
  /** V2 event headers carry the parameter count; V1 headers leave it to the reader. */
  hasParamCount: boolean;
  /** Large blocks may exceed 64 KiB (events with 32-bit parameter lengths). */
  isLarge: boolean;
}

export const EVENT_BLOCK_LAYOUT: ReadonlyMap<number, EventBlockLayout> = new Map([
  [0x204, { hasFlags: false, hasParamCount: false, isLarge: false }],
  [0x8010abcd, { hasFlags: false, hasParamCount: false, isLarge: false }],
  [0x216, { hasFlags: false, hasParamCount: true, isLarge: false }],
  [0x221, { hasFlags: false, hasParamCount: true, isLarge: true }],
  [0x208, { hasFlags: true, hasParamCount: false, isLarge: false }],
  [0x217, { hasFlags: true, hasParamCount: true, isLarge: false }],
  [0x222, { hasFlags: true, hasParamCount: true, isLarge: true }],
]);

/** Bytes of a block around its body: type and length before, length again after. */
export const BLOCK_OVERHEAD = 12;
