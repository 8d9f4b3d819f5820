/**
 * The container events of one capture under replay or `harrier events` (see
 * container-events.ts): each found container goes into a bounded table by short id, and every
 * later event of a thread in that container gets it as `ThreadInfo.container`, the record the
 * live run attached from the runtime, so `container.*` and `k8s.*` read what they read live.
 *
 * A later event for the same id replaces the record (Harrier writes one again when its cache
 * fetched the container anew); threads that already hold the old one keep it, as they did live.
 * Rules do not see container events, as they did not live.
 * LIMIT: a rule on `evt.type=container` (the old `container_started` macro) never matches them.
 */
import type { SyscallEvent } from '../decode/event.js';
import { identifyCategoryAtExec } from '../decode/state/thread-category.js';
import type { ThreadInfo } from '../decode/state/types.js';
import { ContainerIdMemo } from '../engine/index.js';
import {
  ContainerJsonError,
  HOST_CONTAINER_ID,
  parseContainerJson,
  type ContainerInfo,
} from '../sources/container-runtime/index.js';
import { containerEventJson } from './container-events.js';
import { counted } from './stderr-report.js';

/** Most containers kept per capture; the least recently described goes first. */
const DEFAULT_LIMIT = 4096;

export class RecordedContainers {
  /** Container events read, good or bad. */
  events = 0;
  /** Records of a failed or unfinished lookup, which describe nothing (libsinsp skips them). */
  failedLookups = 0;
  /** Container events whose JSON could not be read, and the first one's fault. */
  malformed = 0;
  firstFault: { num: number; reason: string } | undefined;
  /** Containers dropped to stay within the limit. */
  evictions = 0;
  private readonly byId = new Map<string, ContainerInfo>();
  private readonly ids = new ContainerIdMemo();

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /**
   * Takes `event` when it is a container event (true); otherwise gives its thread the recorded
   * container it belongs to, if the thread has none yet, checks an exec against that
   * container's health probes as the live run did, and returns false.
   */
  take(event: SyscallEvent): boolean {
    const json = containerEventJson(event);
    if (json === undefined) {
      if (event.thread !== undefined && this.byId.size > 0) {
        this.attach(event.thread);
        identifyCategoryAtExec(event);
      }
      return false;
    }
    this.events++;
    try {
      const { info, isSuccessful } = parseContainerJson(json);
      if (isSuccessful) this.store(info);
      else this.failedLookups++;
    } catch (error) {
      if (!(error instanceof ContainerJsonError)) throw error;
      this.malformed++;
      this.firstFault ??= { num: event.num, reason: error.message };
    }
    return true;
  }

  /** Warnings for `path`: container events that were unreadable, containers forgotten. */
  warnings(path: string): string[] {
    const warnings: string[] = [];
    if (this.firstFault !== undefined) {
      const { num, reason } = this.firstFault;
      warnings.push(
        `${path}: ${counted(this.malformed, 'container event')} unreadable, skipped: their containers' fields read <NA> (the first, event ${num}: ${reason})`,
      );
    }
    if (this.evictions > 0)
      warnings.push(
        `${path}: ${counted(this.evictions, 'container')} forgotten past the table's ${this.limit}: threads not yet seen in them read <NA> for container fields`,
      );
    return warnings;
  }

  private attach(thread: ThreadInfo): void {
    if (thread.container !== undefined) return;
    const id = this.ids.idOf(thread);
    if (id !== HOST_CONTAINER_ID) thread.container = this.byId.get(id);
  }

  private store(info: ContainerInfo): void {
    // A pod's container links to its sandbox's record, written before it.
    const sandbox = info.podSandboxId === '' ? undefined : this.find(info.podSandboxId);
    const stored = sandbox === undefined || info.isPodSandbox ? info : { ...info, sandbox };
    this.byId.delete(info.id);
    this.byId.set(info.id, stored);
    if (this.byId.size > this.limit) {
      this.byId.delete(this.byId.keys().next().value as string);
      this.evictions++;
    }
  }

  private find(fullId: string): ContainerInfo | undefined {
    const candidate = this.byId.get(fullId.slice(0, 12));
    return candidate?.fullId === fullId ? candidate : undefined;
  }
}
