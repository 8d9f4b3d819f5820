/**
 * Replays a written capture through one rule that fires on every close, printing `output`:
 * the tests of what a capture's meta events (drop notes, container events) change see every
 * event's fields that way.
 */
import assert from 'node:assert/strict';
import type { Alert } from '../alerts/alert.js';
import { replay } from '../cli/replay.js';
import { loadRuleFiles } from '../detect/index.js';

export async function replayCloses(capture: string, output: string) {
  const { ruleSet, diagnostics } = loadRuleFiles([
    {
      name: 'r.yaml',
      content: `- rule: close seen\n  desc: d\n  condition: evt.type = close\n  output: ${JSON.stringify(output)}\n  priority: NOTICE\n`,
    },
  ]);
  assert.ok(ruleSet, JSON.stringify(diagnostics));
  const alerts: Alert[] = [];
  const result = await replay([capture], ruleSet, (alert) => alerts.push(alert), {
    hostname: 'h',
    timeFormat: 'iso8601',
  });
  return { alerts, result };
}
