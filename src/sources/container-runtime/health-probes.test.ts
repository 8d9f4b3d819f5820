import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  configHealthProbes,
  healthcheckProbes,
  healthProbeText,
  LAST_APPLIED_LABEL,
  matchHealthProbe,
  normalizeArgument,
  podSpecProbes,
  type HealthProbe,
} from './health-probes.js';

const podSpec = (container: Record<string, unknown>) =>
  JSON.stringify({ kind: 'Pod', spec: { containers: [container, { name: 'sidecar' }] } });

test('CMD runs the command as given, without the quotes around each word', () => {
  assert.deepEqual(healthcheckProbes({ Test: ['CMD', '"/bin/check"', "'--deep'", 'x'] }), [
    { type: 'healthcheck', exe: '/bin/check', args: ['--deep', 'x'] },
  ]);
});

test('CMD-SHELL runs the command line through /bin/sh -c, quotes kept', () => {
  assert.deepEqual(healthcheckProbes({ Test: ['CMD-SHELL', 'curl -f "http://localhost/"'] }), [
    { type: 'healthcheck', exe: '/bin/sh', args: ['-c', 'curl -f "http://localhost/"'] },
  ]);
});

test('NONE, an unknown kind, a bare CMD and a missing Test give no probe', () => {
  for (const healthcheck of [
    { Test: ['NONE'] },
    { Test: ['HTTP', 'x'] },
    { Test: ['CMD'] },
    { Test: [] },
    { Test: 'CMD id' },
    {},
    null,
  ])
    assert.deepEqual(healthcheckProbes(healthcheck), [], JSON.stringify(healthcheck));
});

test('the pod spec annotation gives the first container exec liveness and readiness probes', () => {
  const annotation = podSpec({
    livenessProbe: { exec: { command: ['cat', '"/tmp/healthy"'] }, periodSeconds: 5 },
    readinessProbe: { exec: { command: ['/bin/ready'] } },
  });
  assert.deepEqual(podSpecProbes(annotation), [
    { type: 'liveness-probe', exe: 'cat', args: ['/tmp/healthy'] },
    { type: 'readiness-probe', exe: '/bin/ready', args: [] },
  ]);
});

test('HTTP probes, an empty command, bad JSON and a spec without containers give none', () => {
  const http = podSpec({ livenessProbe: { httpGet: { path: '/', port: 80 } } });
  assert.deepEqual(podSpecProbes(http), []);
  assert.deepEqual(podSpecProbes(podSpec({ livenessProbe: { exec: { command: [] } } })), []);
  assert.deepEqual(podSpecProbes('{"spec": {"containers": ['), []);
  assert.deepEqual(podSpecProbes('{"spec": {}}'), []);
  assert.deepEqual(podSpecProbes(undefined), []);
});

test('a config takes its pod spec probes over its health check, and its sandbox probes without a label', () => {
  const healthcheck = { Test: ['CMD-SHELL', 'id'] };
  const annotation = podSpec({ livenessProbe: { exec: { command: ['true'] } } });
  const liveness: HealthProbe = { type: 'liveness-probe', exe: 'true', args: [] };
  const labelled = { Labels: { [LAST_APPLIED_LABEL]: annotation }, Healthcheck: healthcheck };
  assert.deepEqual(configHealthProbes(labelled), [liveness]);
  assert.deepEqual(configHealthProbes({ Healthcheck: healthcheck }, [liveness]), [liveness]);
  assert.deepEqual(configHealthProbes({ Healthcheck: healthcheck }), [
    { type: 'healthcheck', exe: '/bin/sh', args: ['-c', 'id'] },
  ]);
  const httpOnly = podSpec({ livenessProbe: { httpGet: { port: 80 } } });
  assert.equal(
    configHealthProbes({ Labels: { [LAST_APPLIED_LABEL]: httpOnly }, Healthcheck: healthcheck })[0]
      ?.type,
    'healthcheck',
  );
});

test('quotes come off in matching pairs only; an unclosed quote stays', () => {
  assert.equal(normalizeArgument(`'"id"'`), 'id');
  assert.equal(normalizeArgument(`"id'`), `"id'`);
  assert.equal(normalizeArgument('"'), '"');
  assert.equal(normalizeArgument(''), '');
});

test('probes match on the exact argv and read as libsinsp wrote them', () => {
  const probes: HealthProbe[] = [
    { type: 'liveness-probe', exe: 'cat', args: ['/tmp/healthy'] },
    { type: 'readiness-probe', exe: 'cat', args: ['/tmp/healthy'] },
  ];
  assert.equal(matchHealthProbe(probes, 'cat', ['/tmp/healthy']), 'liveness-probe');
  assert.equal(matchHealthProbe(probes, 'cat', ['/tmp/healthy', 'x']), undefined);
  assert.equal(matchHealthProbe(probes, '/bin/cat', ['/tmp/healthy']), undefined);
  assert.equal(healthProbeText(probes, 'readiness-probe'), 'cat /tmp/healthy');
  assert.equal(healthProbeText(probes, 'healthcheck'), 'NONE');
});
