import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CGROUP_ENGINES, matchCgroupEngine, type CgroupEngine } from './cgroup-match.js';
import { ContainerIdResolver } from './container-id.js';

const ID = '2cda4a93cadb1cc44925d7a854f0f21777c521b9b44680d59ba91033b044be37';
const SHORT = '2cda4a93cadb';
/** Falco's whole matcher set, ctr included: the table checks each matcher as the plugin has it. */
const resolver = new ContainerIdResolver({ engines: CGROUP_ENGINES });

/** [runtime and layout, cgroup path, expected container.id, engine that matched]. */
const CASES: ReadonlyArray<readonly [string, string, string, CgroupEngine | undefined]> = [
  // docker
  ['docker, cgroup v1, cgroupfs driver', `/docker/${ID}`, SHORT, 'docker'],
  ['docker, systemd driver (v1 or v2)', `/system.slice/docker-${ID}.scope`, SHORT, 'docker'],
  ['docker in docker.slice', `/docker.slice/docker-${ID}.scope`, SHORT, 'docker'],
  // podman
  ['podman, cgroupfs manager (this machine)', `/libpod_parent/libpod-${ID}`, SHORT, 'podman'],
  ['podman, systemd, v2', `/machine.slice/libpod-${ID}.scope`, SHORT, 'podman'],
  [
    'podman, systemd, v2 payload sub-cgroup',
    `/machine.slice/libpod-${ID}.scope/container`,
    SHORT,
    'podman',
  ],
  [
    'podman, rootless',
    `/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope`,
    SHORT,
    'podman',
  ],
  [
    'podman, split cgroup mode',
    `/system.slice/ceph-x@mon.service/libpod-payload-${ID}`,
    SHORT,
    'podman',
  ],
  ['podman conmon, systemd scope', `/machine.slice/libpod-conmon-${ID}.scope`, 'host', undefined],
  // conmon under the cgroupfs manager looks like a `ctr` container /<namespace>/<name> to the
  // plugin's containerd matcher, so Falco reports container.id 'conmon' for it.
  ['podman conmon, cgroupfs manager', '/libpod_parent/conmon', 'conmon', 'containerd'],
  // containerd through CRI
  [
    'containerd, v1 cgroupfs kubepods',
    `/kubepods/besteffort/pod0c0f8d3a-1f2c-11e9-b015-1ebee232acfa/${ID}`,
    SHORT,
    'docker',
  ],
  [
    'containerd, systemd, v2',
    `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0c0f8d3a_1f2c_11e9.slice/cri-containerd-${ID}.scope`,
    SHORT,
    'cri',
  ],
  [
    'containerd without SystemdCgroup',
    `/kubepods-burstable-pod0c0f8d3a.slice:cri-containerd:${ID}`,
    SHORT,
    'cri',
  ],
  ['nerdctl, systemd', `/system.slice/nerdctl-${ID}.scope`, SHORT, 'cri'],
  // containerd through ctr: /<namespace>/<name>, names of any length up to 64
  ['ctr, default namespace', '/default/redis-test', 'redis-test', 'containerd'],
  ['ctr, long name cut to 12', '/k8s.io/my-test_container', 'my-test_cont', 'containerd'],
  ['ctr, name ending like a systemd unit', '/default/web.service', 'host', undefined],
  // CRI-O
  ['cri-o, v1 cgroupfs', `/kubepods/burstable/pod63b3ebfc-2890-11e9/crio-${ID}`, SHORT, 'cri'],
  [
    'cri-o, systemd, v2',
    `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod63b3ebfc_2890.slice/crio-${ID}.scope`,
    SHORT,
    'cri',
  ],
  [
    'cri-o conmon scope',
    `/kubepods.slice/kubepods-pod63b3ebfc_2890.slice/crio-conmon-${ID}.scope`,
    'host',
    undefined,
  ],
  // LXC, libvirt-LXC, BPM
  ['lxc 4 payload', '/lxc.payload.web1', 'web1', 'lxc'],
  ['lxc, init scope below the container', '/lxc/web1/init.scope', 'web1', 'lxc'],
  ['lxc, flat path (the containerd matcher is tried first)', '/lxc/web1', 'web1', 'containerd'],
  [
    'libvirt-lxc, systemd',
    '/machine.slice/machine-lxc\\x2d2293906\\x2dguest.scope',
    '2293906\\x2dguest',
    'libvirt_lxc',
  ],
  ['libvirt-lxc, top level', '/guest1.libvirt-lxc', 'guest1', 'libvirt_lxc'],
  // Below a /name/ directory the containerd matcher is tried first and keeps 12 characters.
  ['libvirt-lxc below a directory', '/machine/guest1.libvirt-lxc', 'guest1.libvi', 'containerd'],
  ['bpm', '/system.slice/bpm-myjob.scope', 'myjob', 'bpm'],
  // host
  ['root cgroup (v2 namespaced or v1 root)', '/', 'host', undefined],
  ['systemd service', '/system.slice/sshd.service', 'host', undefined],
  ['login session', '/user.slice/user-1000.slice/session-3.scope', 'host', undefined],
  ['user manager', '/user.slice/user-1000.slice/user@1000.service/init.scope', 'host', undefined],
  ['id of 65 hex digits', `/docker/${ID}a`, 'host', undefined],
  [
    '64 characters, not hex, in a systemd scope',
    `/system.slice/docker-g${ID.slice(1)}.scope`,
    'host',
    undefined,
  ],
  [
    // The plugin's hex check stops at offset 64 of the path, so a late bad digit passes.
    '64 characters with a bad digit past offset 64',
    `/system.slice/docker-${ID.slice(0, 63)}g.scope`,
    SHORT,
    'docker',
  ],
  [
    // Not hex, so not docker's; the containerd matcher then takes it as a ctr name.
    '64 characters, not hex, below /docker/',
    `/docker/g${ID.slice(1)}`,
    `g${ID.slice(1, 12)}`,
    'containerd',
  ],
];

for (const [name, path, expected, engine] of CASES) {
  test(`cgroup ${name}: container.id ${expected}`, () => {
    const found = resolver.resolve([['memory', path]]);
    assert.equal(found.id, expected);
    assert.equal(found.engine, engine);
  });
}

test("this machine's /process_api/<32 hex> memory cgroup is a ctr container to Falco, host without containerd", () => {
  const path = '/process_api/f209ed47003bd89b66bf150177f714e5';
  assert.equal(resolver.resolve([path]).id, 'f209ed47003b');
  const withoutCtr = new ContainerIdResolver({ engines: ['podman', 'docker', 'cri'] });
  assert.equal(withoutCtr.resolve([path]).id, 'host');
  assert.equal(withoutCtr.resolve(['/libpod_parent/conmon']).id, 'host');
  assert.equal(withoutCtr.resolve([`/libpod_parent/libpod-${ID}`]).id, SHORT);
});

test('the hex check only covers characters past offset 64, as in the plugin', () => {
  const deep = `/${'a'.repeat(70)}/libpod-${'g'.repeat(64)}`;
  assert.deepEqual(matchCgroupEngine(deep, 'podman'), { id: 'gggggggggggg', engine: 'podman' });
  assert.equal(matchCgroupEngine(`/libpod-${'g'.repeat(64)}`, 'podman'), undefined);
});

test('engines without an API carry their container.type at once', () => {
  assert.deepEqual(matchCgroupEngine('/lxc.payload.web1', 'lxc'), {
    id: 'web1',
    engine: 'lxc',
    type: 'lxc',
  });
  assert.deepEqual(matchCgroupEngine('/system.slice/bpm-job.scope', 'bpm'), {
    id: 'job',
    engine: 'bpm',
    type: 'bpm',
  });
  assert.equal(matchCgroupEngine('/system.slice/bpm-bad id.scope', 'bpm'), undefined);
});
