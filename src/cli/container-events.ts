/**
 * Container events in captures: libscap's PPME_CONTAINER_JSON_2_E, one CHARBUF parameter holding
 * a container's metadata as libsinsp's JSON (see `container-json.ts`). A live recording gets one
 * before the first event its run judged with that container's metadata; a replay reads them
 * back (and the older PPME_CONTAINER_JSON_E of sysdig and Falco captures) into the
 * `container.*` and `k8s.*` fields, through the same `ThreadInfo.container` the live run fills.
 */
import type { SyscallEvent } from '../decode/event.js';
import { containerJson, type ContainerInfo } from '../sources/container-runtime/index.js';
import { metaEventBytes } from '../sources/scap/meta-event.js';

/** libscap's PPME_CONTAINER_JSON_E (2-byte parameter lengths). */
const CONTAINER_JSON_CODE = 272;
/** libscap's PPME_CONTAINER_JSON_2_E (a large-payload event: 4-byte parameter lengths). */
const CONTAINER_JSON_2_CODE = 324;
/** The raw V2 PPME_CONTAINER_JSON_2_E event of `info` at `ts`, as the capture writer takes it. */
export function containerJsonEvent(ts: bigint, info: ContainerInfo): Uint8Array {
  // A CHARBUF keeps its NUL, as libscap encodes it.
  const json = new TextEncoder().encode(`${containerJson(info)}\0`);
  return metaEventBytes(CONTAINER_JSON_2_CODE, ts, [json]);
}

/** The JSON text of a container event, without its NUL; undefined for any other event. */
export function containerEventJson(event: SyscallEvent): string | undefined {
  const code = event.info.code;
  if (code !== CONTAINER_JSON_CODE && code !== CONTAINER_JSON_2_CODE) return undefined;
  const raw = event.rawParams[0] ?? new Uint8Array(0);
  const end = raw.length > 0 && raw[raw.length - 1] === 0 ? raw.length - 1 : raw.length;
  return new TextDecoder().decode(raw.subarray(0, end));
}
