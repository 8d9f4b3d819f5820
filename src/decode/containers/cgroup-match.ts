/**
 * The container id in one cgroup path, by the rules of Falco's container plugin
 * (plugins/container/src/matchers): the engines are tried in the plugin's order (podman,
 * docker, CRI, containerd, LXC, libvirt-LXC, BPM) and the first that recognises the path wins.
 * runc-based engines report the first 12 characters of a 64-hex id found between a known prefix
 * and suffix; the others report their own id forms.
 */
import type { ContainerEngineType } from '../../sources/container-runtime/index.js';

/** The engines that can recognise a cgroup path, named as in the plugin's `engines` config. */
export type CgroupEngine =
  'podman' | 'docker' | 'cri' | 'containerd' | 'lxc' | 'libvirt_lxc' | 'bpm';

/** The plugin's matcher order. */
export const CGROUP_ENGINES: readonly CgroupEngine[] = [
  'podman',
  'docker',
  'cri',
  'containerd',
  'lxc',
  'libvirt_lxc',
  'bpm',
];

/**
 * The engines Harrier tries unless told otherwise: all but bare containerd (`ctr`). Its matcher
 * takes any `/<group>/<name>` cgroup for a container, and hosts whose services sit in such
 * cgroups (job runners, sandboxes) would otherwise see every host process as "in a container",
 * so host-only rules go quiet and container rules fire on the host. Falco enables it; a host
 * that runs `ctr` containers turns it back on with `setContainerEngines(CGROUP_ENGINES)`.
 */
export const DEFAULT_CGROUP_ENGINES: readonly CgroupEngine[] = CGROUP_ENGINES.filter(
  (engine) => engine !== 'containerd',
);

/** A container id found in a cgroup path, and the engine whose layout it matched. */
export interface CgroupMatch {
  /** The id as `container.id` shows it; empty when LXC matched a path with no name. */
  id: string;
  engine: CgroupEngine;
  /**
   * For LXC, libvirt-LXC and BPM, which have no API to ask: the `container.type` the plugin
   * gives the container at once.
   */
  type?: ContainerEngineType;
}

type Layout = readonly [prefix: string, suffix: string];

const PODMAN_LAYOUTS: readonly Layout[] = [
  ['/libpod-', '.scope'],
  ['/libpod-', '.scope/container'],
  ['/libpod-', ''],
  // Podman's "split" cgroup mode.
  ['/libpod-payload-', '.scope'],
  ['/libpod-payload-', '.scope/container'],
  ['/libpod-payload-', ''],
];
const DOCKER_LAYOUTS: readonly Layout[] = [
  ['/', ''],
  ['/docker-', '.scope'],
];
const CRI_LAYOUTS: readonly Layout[] = [
  ['/', ''],
  ['/crio-', ''],
  ['/cri-containerd-', '.scope'],
  ['/crio-', '.scope'],
  // containerd without `SystemdCgroup = true` writes slice:cri-containerd:id.
  [':cri-containerd:', ''],
  ['/docker-', '.scope'],
  ['/nerdctl-', '.scope'],
];

const FULL_ID_LENGTH = 64;
const SHORT_ID_LENGTH = 12;
const HEX = /^[0-9a-fA-F]$/;
/** The first path component that looks like a containerd namespace: `/name/`. */
const CONTAINERD_NAMESPACE = /\/[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*\//;
const SYSTEMD_UNIT_END = /\.(?:service|slice|scope)$/;
const BPM_ID = /^[A-Za-z0-9._-]+$/;

/**
 * The container id `engine` finds in `cgroup`, or undefined when the path is not one of its
 * layouts.
 */
export function matchCgroupEngine(cgroup: string, engine: CgroupEngine): CgroupMatch | undefined {
  const id = ENGINE_MATCHERS[engine](cgroup);
  if (id === undefined) return undefined;
  const type = IMMEDIATE_TYPES[engine];
  return type === undefined ? { id, engine } : { id, engine, type };
}

const IMMEDIATE_TYPES: Partial<Record<CgroupEngine, ContainerEngineType>> = {
  lxc: 'lxc',
  libvirt_lxc: 'libvirt-lxc',
  bpm: 'bpm',
};

const ENGINE_MATCHERS: Record<CgroupEngine, (cgroup: string) => string | undefined> = {
  podman: (cgroup) => matchLayouts(cgroup, PODMAN_LAYOUTS, false),
  docker: (cgroup) => matchLayouts(cgroup, DOCKER_LAYOUTS, false),
  cri: (cgroup) => matchLayouts(cgroup, CRI_LAYOUTS, false),
  containerd: matchContainerd,
  lxc: matchLxc,
  libvirt_lxc: matchLibvirtLxc,
  bpm: matchBpm,
};

function matchLayouts(cgroup: string, layouts: readonly Layout[], isContainerd: boolean) {
  for (const [prefix, suffix] of layouts) {
    const id = matchLayout(cgroup, prefix, suffix, isContainerd);
    if (id !== undefined) return id;
  }
  return undefined;
}

/**
 * The id between the last `prefix` and the last `suffix` of `cgroup` (the end when `suffix` is
 * empty). A 64-character id is accepted when hex and cut to 12 characters. containerd also
 * accepts any shorter id unless the path ends like a systemd unit.
 */
function matchLayout(
  cgroup: string,
  prefix: string,
  suffix: string,
  isContainerd: boolean,
): string | undefined {
  const prefixAt = cgroup.lastIndexOf(prefix);
  if (prefixAt === -1) return undefined;
  const start = prefixAt + prefix.length;
  const end = suffix === '' ? cgroup.length : cgroup.lastIndexOf(suffix);
  if (end === -1) return undefined;
  const length = end - start;

  if (length === FULL_ID_LENGTH && firstNonHexAt(cgroup, start) >= FULL_ID_LENGTH)
    return cgroup.slice(start, start + SHORT_ID_LENGTH);
  if (length > FULL_ID_LENGTH || length <= 0) return undefined;
  if (isContainerd && !SYSTEMD_UNIT_END.test(cgroup))
    return cgroup.slice(start, start + Math.min(length, SHORT_ID_LENGTH));
  return undefined;
}

/**
 * Position of the first non-hex character at or after `from`, Infinity when none. The plugin
 * compares this absolute position with 64, not the position within the id, so an id that
 * starts at offset 64 or later is not checked for hex at all; kept for identical results.
 */
function firstNonHexAt(text: string, from: number): number {
  for (let index = from; index < text.length; index++) {
    if (!HEX.test(text[index])) return index;
  }
  return Infinity;
}

/** Containers made by `ctr`: `/<namespace>/<id>`, namespace taken from the first `/name/`. */
function matchContainerd(cgroup: string): string | undefined {
  const namespace = CONTAINERD_NAMESPACE.exec(cgroup);
  if (namespace === null) return undefined;
  return matchLayout(cgroup, namespace[0], '', true);
}

const LXC_MARKERS = ['/lxc/', '/lxc.payload/', '/lxc.payload.'];

function matchLxc(cgroup: string): string | undefined {
  for (const marker of LXC_MARKERS) {
    const at = cgroup.indexOf(marker);
    if (at === -1) continue;
    const start = at + marker.length;
    const end = cgroup.indexOf('/', start);
    return cgroup.slice(start, end === -1 ? undefined : end);
  }
  return undefined;
}

function matchLibvirtLxc(cgroup: string): string | undefined {
  const plain = cgroup.indexOf('.libvirt-lxc');
  if (plain !== -1 && plain === cgroup.length - '.libvirt-lxc'.length) {
    const slash = cgroup.lastIndexOf('/');
    if (slash !== -1) return cgroup.slice(slash + 1, plain);
  }

  // systemd: machine-lxc\x2d<id>.scope, possibly followed by /libvirt.
  const systemd = cgroup.indexOf('-lxc\\x2');
  if (systemd !== -1) {
    const delimiter = cgroup.includes('.scope/libvirt') ? '.scope/libvirt' : '.scope';
    const end = cgroup.indexOf(delimiter);
    const start = systemd + '-lxc\\x2d'.length;
    // The plugin's length underflows when the id would be negative: it keeps the rest.
    if (end !== -1 && end === cgroup.length - delimiter.length)
      return cgroup.slice(start, end >= start ? end : undefined);
  }

  const legacy = cgroup.indexOf('/libvirt/lxc/');
  if (legacy !== -1) return cgroup.slice(legacy + '/libvirt/lxc/'.length);
  return undefined;
}

function matchBpm(cgroup: string): string | undefined {
  const at = cgroup.indexOf('bpm-');
  if (at === -1) return undefined;
  const start = at + 'bpm-'.length;
  const end = cgroup.indexOf('.scope', start);
  const id = cgroup.slice(start, end === -1 ? undefined : end);
  return BPM_ID.test(id) ? id : undefined;
}
