/**
 * Raw syscall events for tests, in libscap's V2 layout: header (ts, tid, len, type, nparams),
 * the u16 parameter lengths, then the parameters.
 */

/** A signed 64-bit little-endian parameter. */
export function int64(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt(value), true);
  return bytes;
}

/** Event `code` of thread `tid` with `params`, at a fixed time in 2023. */
export function eventBytes(code: number, tid: number, params: Uint8Array[]): Uint8Array {
  const length = 26 + params.length * 2 + params.reduce((sum, param) => sum + param.length, 0);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, 1_700_000_000_000_000_000n, true);
  view.setBigInt64(8, BigInt(tid), true);
  view.setUint32(16, length, true);
  view.setUint16(20, code, true);
  view.setUint32(22, params.length, true);
  let at = 26 + params.length * 2;
  params.forEach((param, i) => {
    view.setUint16(26 + i * 2, param.length, true);
    bytes.set(param, at);
    at += param.length;
  });
  return bytes;
}
