import { test } from 'node:test';
import assert from 'node:assert/strict';
import { replay } from './replay.js';
import {
  caseTracePath,
  countByRule,
  falcoAuditCases,
  loadCaseRules,
} from './falco-k8s-audit-cases.js';
import type { Alert } from '../alerts/alert.js';
import { corpusPath } from '../testing/corpus.js';

for (const auditCase of falcoAuditCases) {
  const expectation =
    Object.keys(auditCase.expected).length === 0 ? 'no alert' : JSON.stringify(auditCase.expected);
  test(`replayed audit trace of Falco case ${auditCase.name} gives ${expectation}`, async () => {
    const ruleSet = await loadCaseRules(auditCase);
    const alerts: Alert[] = [];
    await replay([caseTracePath(auditCase)], ruleSet, (alert) => alerts.push(alert));
    assert.deepEqual(countByRule(alerts.map((alert) => alert.rule)), auditCase.expected);
  });
}

test('replay counts fal_01_003 as one rejected record with the plugin reason', async () => {
  const auditCase = falcoAuditCases.find((entry) => entry.name === 'fal_01_003');
  assert.ok(auditCase);
  const { detection } = await replay(
    [caseTracePath(auditCase)],
    await loadCaseRules(auditCase),
    () => {},
  );
  assert.deepEqual(detection.stats.k8s_audit, {
    received: 1,
    processed: 0,
    rejected: 1,
    alerts: 0,
  });
});

test('replay reads a capture path through the capture side', async () => {
  const auditCase = falcoAuditCases[0];
  const result = await replay(
    [corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap')],
    await loadCaseRules(auditCase),
    () => {},
  );
  assert.deepEqual(
    result.captures.map(({ events, alerts }) => ({ events, alerts })),
    [{ events: 345, alerts: 0 }],
  );
});
