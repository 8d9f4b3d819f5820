/**
 * A process's container id from its cgroups (`/proc/PID/cgroup` lines, or the cgroups a
 * capture carries for a thread), as Falco's container plugin computes `container.id`: the
 * cgroup paths are tried in order and the first in which an enabled engine finds an id wins;
 * with none, the process is on the host.
 */
import { HOST_CONTAINER_ID } from '../../sources/container-runtime/index.js';
import {
  DEFAULT_CGROUP_ENGINES,
  matchCgroupEngine,
  type CgroupEngine,
  type CgroupMatch,
} from './cgroup-match.js';

/** A process's container as its cgroups show it. */
export interface CgroupContainer {
  /** `container.id`: the short id, or `host`. */
  id: string;
  /** The engine whose layout matched; undefined on the host. */
  engine?: CgroupEngine;
  /** The cgroup path the id came from; undefined on the host. */
  cgroup?: string;
  /** Set for engines without an API (LXC, libvirt-LXC, BPM): the `container.type` at once. */
  type?: CgroupMatch['type'];
}

export interface ContainerIdOptions {
  /**
   * Engines to try, in the plugin's order; default all, as Falco's defaults. Leaving out
   * `containerd` stops `/<namespace>/<name>` paths of ordinary services (such as
   * `/libpod_parent/conmon`) from being taken for containers made by `ctr`.
   */
  engines?: readonly CgroupEngine[];
  /** Distinct cgroup paths whose answer is remembered; default 4096. */
  cacheLimit?: number;
}

const HOST: CgroupContainer = Object.freeze({ id: HOST_CONTAINER_ID });

/** Parses `/proc/PID/cgroup` text into [controllers, path] pairs, in file order. */
export function parseCgroupLines(text: string): Array<[string, string]> {
  const cgroups: Array<[string, string]> = [];
  for (const line of text.split('\n')) {
    // hierarchy-id:controller-list:path; the path itself may hold ':'.
    const first = line.indexOf(':');
    const second = first === -1 ? -1 : line.indexOf(':', first + 1);
    if (second === -1) continue;
    cgroups.push([line.slice(first + 1, second), line.slice(second + 1)]);
  }
  return cgroups;
}

/**
 * Finds container ids in cgroup paths, remembering the answer for each path as the plugin
 * does (a bounded cache; paths repeat across every thread of a container).
 */
export class ContainerIdResolver {
  private readonly engines: readonly CgroupEngine[];
  private readonly cacheLimit: number;
  private readonly byPath = new Map<string, CgroupMatch | null>();

  constructor(options: ContainerIdOptions = {}) {
    this.engines = options.engines ?? DEFAULT_CGROUP_ENGINES;
    this.cacheLimit = options.cacheLimit ?? 4096;
  }

  /**
   * The container of a process whose cgroups are `cgroups` ([controllers, path] pairs, or
   * plain paths). Does not mutate `cgroups`.
   */
  resolve(cgroups: Iterable<readonly [string, string] | string>): CgroupContainer {
    for (const cgroup of cgroups) {
      const path = typeof cgroup === 'string' ? cgroup : cgroup[1];
      if (path === '') continue;
      const match = this.matchPath(path);
      // An engine that matched with an empty id (LXC) ends the search for this path only.
      if (match !== null && match.id !== '') return { ...match, cgroup: path };
    }
    return HOST;
  }

  private matchPath(path: string): CgroupMatch | null {
    const known = this.byPath.get(path);
    if (known !== undefined) return known;
    let found: CgroupMatch | null = null;
    for (const engine of this.engines) {
      const match = matchCgroupEngine(path, engine);
      if (match !== undefined) {
        found = match;
        break;
      }
    }
    if (this.byPath.size >= this.cacheLimit) this.byPath.clear();
    this.byPath.set(path, found);
    return found;
  }
}

let defaultResolver = new ContainerIdResolver();

/**
 * Chooses the engines `containerIdFromCgroups` tries, like the plugin's
 * `engines.<name>.enabled` settings; the default is `DEFAULT_CGROUP_ENGINES` (Falco's less bare containerd). Call it at start-up,
 * before events are read: answers already given are not revisited.
 *
 * @example
 * // A host that runs bare containerd (`ctr`) containers, as Falco by default:
 * setContainerEngines(CGROUP_ENGINES);
 */
export function setContainerEngines(engines: readonly CgroupEngine[]): void {
  defaultResolver = new ContainerIdResolver({ engines });
}

/**
 * The container of a process with cgroups `cgroups` with the engine whose layout matched,
 * as `containerIdFromCgroups` finds it; the engine tells which runtime API to ask first.
 */
export function cgroupContainerOf(
  cgroups: Iterable<readonly [string, string] | string>,
): CgroupContainer {
  return defaultResolver.resolve(cgroups);
}

/**
 * `container.id` for a process with cgroups `cgroups`: a short id, or `host`. Uses the engines
 * of `setContainerEngines` (all by default, as Falco).
 *
 * @example
 * containerIdFromCgroups([['memory', '/libpod_parent/libpod-2cda4a93cadb1cc4...']]); // '2cda4a93cadb'
 */
export function containerIdFromCgroups(
  cgroups: Iterable<readonly [string, string] | string>,
): string {
  return defaultResolver.resolve(cgroups).id;
}
