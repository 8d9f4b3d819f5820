/**
 * The ruleset: event-type index, `first` and `all` matching, enabling by name and tag, the
 * minimum priority, and the subexpressions its rules share.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import {
  closeEvaluationScope,
  openEvaluationScope,
  type FieldDefinition,
  type FieldTable,
} from '../../engine/index.js';
import { syscallEvents } from '../../decode/pipeline.js';
import { corpusPath } from '../../testing/corpus.js';
import { loadRuleFiles } from './loader.js';
import { matchesWildcard, RuleSet } from './ruleset.js';

interface FakeEvent {
  type: string;
  name: string;
}

function field(
  name: string,
  read: (event: FakeEvent) => string,
): [string, FieldDefinition<FakeEvent>] {
  return [
    name,
    { name, type: 'CHARBUF', argument: 'none', description: name, extract: (event) => read(event) },
  ];
}

const table: FieldTable<FakeEvent> = {
  source: 'syscall',
  fields: new Map([
    field('evt.type', (event) => event.type),
    field('proc.name', (event) => event.name),
  ]),
};

const rules = `
- rule: open by cat
  desc: d
  condition: evt.type = open and proc.name = cat
  output: o
  priority: WARNING
  tags: [files]
- rule: any by cat
  desc: d
  condition: proc.name = cat
  output: o
  priority: DEBUG
  warn_evttypes: false
  tags: [process]
- rule: open or exec
  desc: d
  condition: evt.type in (open, execve)
  output: o
  priority: CRITICAL
  tags: [files, process]
`;

function load(options: Parameters<typeof loadRuleFiles>[1] = {}): RuleSet<FakeEvent> {
  const result = loadRuleFiles([{ name: 'r.yaml', content: rules }], {
    ...options,
    fieldTables: (source) => (source === 'syscall' ? (table as FieldTable<unknown>) : undefined),
  });
  assert.deepEqual(result.diagnostics, []);
  return result.ruleSet as unknown as RuleSet<FakeEvent>;
}

const names = (matched: readonly { name: string }[]): string[] => matched.map((rule) => rule.name);

test('indexes rules by event type and leaves type-free rules for every event', () => {
  const ruleSet = load();
  assert.deepEqual([...(ruleSet.rules[0]?.eventTypes ?? [])], ['open']);
  assert.equal(ruleSet.rules[1]?.eventTypes, null);
  assert.equal(ruleSet.eventTypes('syscall'), null);
});

test('with first matching, returns only the first type-specific match', () => {
  const ruleSet = load();
  assert.deepEqual(names(ruleSet.match('syscall', 'open', { type: 'open', name: 'cat' })), [
    'open by cat',
  ]);
  assert.deepEqual(names(ruleSet.match('syscall', 'close', { type: 'close', name: 'cat' })), [
    'any by cat',
  ]);
  assert.deepEqual(names(ruleSet.match('syscall', 'close', { type: 'close', name: 'ls' })), []);
});

test('with all matching, returns every type-specific match, and type-free rules only without one', () => {
  const ruleSet = load({ ruleMatching: 'all' });
  assert.deepEqual(names(ruleSet.match('syscall', 'open', { type: 'open', name: 'cat' })), [
    'open by cat',
    'open or exec',
  ]);
  assert.deepEqual(names(ruleSet.match('syscall', 'read', { type: 'read', name: 'cat' })), [
    'any by cat',
  ]);
});

test('minimum priority keeps less severe rules disabled, even when enabled by name', () => {
  const ruleSet = load({ minimumPriority: 'Warning' });
  assert.equal(ruleSet.enabledCount, 2);
  ruleSet.enable('any by cat');
  assert.equal(ruleSet.isEnabled('any by cat'), false);
  assert.deepEqual([...(ruleSet.eventTypes('syscall') ?? [])].sort(), ['execve', 'open']);
});

test('enables and disables by exact name, substring, wildcard and tag', () => {
  const ruleSet = load();
  ruleSet.disable('by cat', 'substring');
  assert.deepEqual(names(ruleSet.enabledRules()), ['open or exec']);
  ruleSet.enable('open*', 'wildcard');
  assert.deepEqual(names(ruleSet.enabledRules()), ['open by cat', 'open or exec']);
  ruleSet.disableTags(['files']);
  assert.equal(ruleSet.enabledCount, 0);
  ruleSet.enableTags(['process']);
  assert.deepEqual(names(ruleSet.enabledRules()), ['any by cat', 'open or exec']);
  ruleSet.disable('');
  assert.equal(ruleSet.enabledCount, 0);
});

test('matches wildcards as Falco does, at the first place each literal occurs', () => {
  assert.equal(matchesWildcard('*', 'anything'), true);
  assert.equal(matchesWildcard('Write below*', 'Write below etc'), true);
  assert.equal(matchesWildcard('*below*etc', 'Write below etc'), true);
  assert.equal(matchesWildcard('a*c', 'abc'), true);
  assert.equal(matchesWildcard('a*c', 'abcd'), false);
  // No backtracking: the first 'b' is taken, so the rest must match 'bxb'.
  assert.equal(matchesWildcard('*b', 'bxb'), false);
});

/** Rules whose shared macros hold on many corpus events and fail on many others. */
const SHARING_RULES = `
- macro: opens_etc
  condition: (evt.type in (open, openat) and fd.name startswith /etc)
- macro: by_tool
  condition: (proc.name in (bash, sh, cat, curl, ping) or proc.pname in (bash, sh))
- rule: etc by tool
  desc: d
  condition: opens_etc and by_tool
  output: o
  priority: INFO
- rule: etc or tool exit
  desc: d
  condition: opens_etc or (evt.dir = < and by_tool)
  output: o
  priority: INFO
- rule: tool file not etc
  desc: d
  condition: not opens_etc and by_tool and fd.typechar = f
  output: o
  priority: INFO
- rule: close by tool or high fd
  desc: d
  condition: (evt.type = close and by_tool) or (fd.num > 2 and not by_tool)
  output: o
  priority: INFO
`;

test('rules judging one event together give each the verdict it gives alone', async () => {
  const files = ['falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml'];
  const loaded = loadRuleFiles([
    ...files.map((name) => ({
      name,
      content: readFileSync(corpusPath('falco/rules', name), 'utf8'),
    })),
    { name: 'sharing.yaml', content: SHARING_RULES },
  ]);
  // Every compiled rule, the disabled ones too: they share the same predicates.
  const rules = loaded.ruleSet!.rules.filter((rule) => rule.source === 'syscall');
  assert.ok(rules.length > 80, `${rules.length} rules`);
  const captures = [
    ...readdirSync(corpusPath('falco/scap')).map((name) => corpusPath('falco/scap', name)),
    ...['cat_write', 'connect_localhost', 'open-multiple-files', 'ping_sendto', 'syscall'].map(
      (name) => corpusPath(`falco/tests-0.34.1/trace_files/${name}.scap`),
    ),
  ];
  // Two passes over the captures, so that no evaluation alone comes between two together.
  const verdicts = async (together: boolean): Promise<string[]> => {
    const lines: string[] = [];
    for (const capture of captures) {
      for await (const event of syscallEvents(capture)) {
        if (together) openEvaluationScope();
        const line = rules.map((rule) => (rule.filter.evaluate(event) ? 1 : 0)).join('');
        if (together) closeEvaluationScope();
        lines.push(`${capture} ${event.num} ${line}`);
      }
    }
    return lines;
  };
  const alone = await verdicts(false);
  assert.deepEqual(await verdicts(true), alone);
  const matched = alone.map((line) => line.split(' ')[2].replaceAll('0', '')).join('').length;
  assert.ok(alone.length > 5000, `${alone.length} events`);
  assert.ok(matched > 1000, `${matched} verdicts true`);
});
