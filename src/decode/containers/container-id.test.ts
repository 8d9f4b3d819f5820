import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CGROUP_ENGINES, DEFAULT_CGROUP_ENGINES } from './cgroup-match.js';
import {
  ContainerIdResolver,
  containerIdFromCgroups,
  parseCgroupLines,
  setContainerEngines,
} from './container-id.js';

const ID = 'ddb16d03acc329366363173f6b81b259bc2122e41d231e7254723580e6c78258';

const V1_PODMAN_CGROUPFS = [
  `9:name=systemd:/libpod_parent/libpod-${ID}`,
  `8:pids:/libpod_parent/libpod-${ID}`,
  `4:memory:/libpod_parent/libpod-${ID}`,
  `1:cpu:/libpod_parent/libpod-${ID}`,
  `0::/libpod_parent/libpod-${ID}`,
  '',
].join('\n');

const HYBRID_DOCKER = [
  `12:pids:/system.slice/docker-${ID}.scope`,
  `5:memory:/system.slice/docker-${ID}.scope`,
  '1:name=systemd:/system.slice/docker.service',
  `0::/system.slice/docker-${ID}.scope`,
].join('\n');

const V2_CONTAINERD = `0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-${ID}.scope\n`;

const V1_HOST_WITH_JOB_CGROUP = [
  '9:name=systemd:/',
  '4:memory:/process_api/f209ed47003bd89b66bf150177f714e5',
  '1:cpu:/',
  '0::/',
].join('\n');

test('parseCgroupLines keeps controllers and paths in file order, paths with colons whole', () => {
  assert.deepEqual(parseCgroupLines('4:memory:/a\n0::/b:cri-containerd:c\n\n'), [
    ['memory', '/a'],
    ['', '/b:cri-containerd:c'],
  ]);
});

test('podman on cgroup v1 with the cgroupfs manager: every line names the container', () => {
  assert.equal(containerIdFromCgroups(parseCgroupLines(V1_PODMAN_CGROUPFS)), 'ddb16d03acc3');
});

test('docker on hybrid cgroups: the first line with an id wins over docker.service', () => {
  const found = new ContainerIdResolver().resolve(parseCgroupLines(HYBRID_DOCKER));
  assert.deepEqual(found, {
    id: 'ddb16d03acc3',
    engine: 'docker',
    cgroup: `/system.slice/docker-${ID}.scope`,
  });
});

test('containerd on unified cgroup v2', () => {
  assert.equal(containerIdFromCgroups(parseCgroupLines(V2_CONTAINERD)), 'ddb16d03acc3');
});

test('a host process is host, also in a /job/<name> cgroup that Falco would call a container', () => {
  assert.equal(containerIdFromCgroups(parseCgroupLines('0::/init.scope\n')), 'host');
  assert.equal(containerIdFromCgroups([]), 'host');
  assert.equal(containerIdFromCgroups(parseCgroupLines(V1_HOST_WITH_JOB_CGROUP)), 'host');
  const noCtr = new ContainerIdResolver({ engines: ['podman', 'docker', 'cri'] });
  assert.equal(noCtr.resolve(parseCgroupLines(V1_HOST_WITH_JOB_CGROUP)).id, 'host');
});

test('the path cache stays within its limit and keeps answering right', () => {
  const resolver = new ContainerIdResolver({ cacheLimit: 2 });
  for (let round = 0; round < 3; round++) {
    assert.equal(resolver.resolve([`/docker/${ID}`]).id, 'ddb16d03acc3');
    assert.equal(resolver.resolve(['/system.slice/a.service']).id, 'host');
    assert.equal(resolver.resolve([`/libpod_parent/libpod-${ID}`]).engine, 'podman');
  }
});

test('by default /<group>/<name> cgroups are the host; with containerd enabled, as Falco, a container', () => {
  const hostLines = parseCgroupLines(V1_HOST_WITH_JOB_CGROUP);
  assert.equal(containerIdFromCgroups(hostLines), 'host');
  assert.equal(containerIdFromCgroups(parseCgroupLines(V1_PODMAN_CGROUPFS)), 'ddb16d03acc3');
  try {
    setContainerEngines(CGROUP_ENGINES);
    assert.equal(containerIdFromCgroups(hostLines), 'f209ed47003b');
  } finally {
    setContainerEngines(DEFAULT_CGROUP_ENGINES);
  }
});
