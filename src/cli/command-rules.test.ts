import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../log.js';
import { loadCommandRules } from './command-rules.js';

const RULE = (enabled: boolean) =>
  `- rule: Shell\n  desc: d\n  condition: evt.type = execve\n  output: shell\n  priority: NOTICE\n  enabled: ${enabled}\n`;

test('rule files that leave no rule enabled load, with a warning that nothing can alert', async (t) => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-command-rules-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const warnings: string[] = [];
  const logger = {
    info: () => {},
    warn: (_fields: unknown, message: string) => warnings.push(message),
  } as unknown as Logger;
  for (const enabled of [false, true]) {
    const file = path.join(directory, `${String(enabled)}.yaml`);
    writeFileSync(file, RULE(enabled));
    const ruleSet = await loadCommandRules('run', [file], {}, { quiet: true, logger });
    assert.equal(ruleSet?.enabledCount, enabled ? 1 : 0);
  }
  assert.deepEqual(warnings, ['no rule is enabled: nothing can raise an alert']);
});
