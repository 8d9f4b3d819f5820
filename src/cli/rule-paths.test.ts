import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { expandRulePaths } from './rule-paths.js';
import { registerReplayCommand } from './replay.js';
import { registerRulesCommands } from './rules-commands.js';
import { registerRunCommand } from './run.js';
import { DEFAULT_RULE_FILES, DEFAULT_RULES_DIRECTORY } from './default-rules.js';

test('a directory stands for its rule files in name order, test files left out', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-rules-'));
  for (const name of ['b.yaml', 'a.yml', 'a.test.yaml', 'notes.txt'])
    writeFileSync(path.join(directory, name), '');
  assert.deepEqual(await expandRulePaths([directory, 'single.yaml']), [
    path.join(directory, 'a.yml'),
    path.join(directory, 'b.yaml'),
    'single.yaml',
  ]);
});

test("Harrier's rules/ directory expands in the default load order, not name order", async () => {
  const expanded = (await expandRulePaths([DEFAULT_RULES_DIRECTORY])).map((file) =>
    path.resolve(file),
  );
  assert.deepEqual(expanded.slice(0, DEFAULT_RULE_FILES.length), [...DEFAULT_RULE_FILES]);
  const sorted = [...DEFAULT_RULE_FILES].sort();
  assert.notDeepEqual(
    sorted,
    [...DEFAULT_RULE_FILES],
    'the order differs from name order, so the test means something',
  );
});

test('the help of every command shows one default for -r, never the empty list', async () => {
  const program = new Command('harrier');
  for (const register of [registerRunCommand, registerReplayCommand, registerRulesCommands]) {
    register(program);
  }
  const rules = program.commands.find((command) => command.name() === 'rules');
  const help = (command: Command | undefined) =>
    (command?.helpInformation() ?? '').replace(/\s+/g, ' ');
  const find = (parent: Command | undefined, name: string) =>
    parent?.commands.find((command) => command.name() === name);
  for (const command of [find(program, 'run'), find(program, 'replay'), find(rules, 'show')]) {
    const text = help(command);
    const option = /-r, --rules <path> rule file or directory \(repeatable\) (.*?) --json/.exec(
      text,
    );
    assert.equal(option?.[1], '(default: the rules/ directory)', text);
  }
  assert.match(
    help(find(rules, 'validate')),
    /each validated file \(repeatable\) \(default: none\) -h/,
  );
});

test('a directory without rule files passes through for the loader to report', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-rules-'));
  writeFileSync(path.join(directory, 'only.test.yaml'), '');
  assert.deepEqual(await expandRulePaths([directory]), [directory]);
});
