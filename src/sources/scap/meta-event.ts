/**
 * Events Harrier writes into a capture besides the probe's: libscap's large-payload events
 * (4-byte parameter lengths) of no thread, such as container and async events, in the V2
 * layout (ts u64, tid i64, len u32, type u16, nparams u32, lengths, parameters).
 */

/** Events that belong to no thread; libsinsp gives them tid -1. */
const NO_THREAD = -1n;
const HEADER_SIZE = 26;

/** The raw event of type `code` at `ts` with `params`, as `ScapWriter.writeEvent` takes it. */
export function metaEventBytes(
  code: number,
  ts: bigint,
  params: readonly Uint8Array[],
): Uint8Array {
  const lengthsEnd = HEADER_SIZE + params.length * 4;
  const length = lengthsEnd + params.reduce((sum, param) => sum + param.length, 0);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, ts, true);
  view.setBigInt64(8, NO_THREAD, true);
  view.setUint32(16, length, true);
  view.setUint16(20, code, true);
  view.setUint32(22, params.length, true);
  let at = lengthsEnd;
  params.forEach((param, index) => {
    view.setUint32(HEADER_SIZE + index * 4, param.length, true);
    bytes.set(param, at);
    at += param.length;
  });
  return bytes;
}
