/**
 * Differential test of the syscall field values against sysdig 0.29, which reads `.scap`
 * captures with its own libsinsp: for every event of every corpus capture and every field the
 * official syscall rules use, Harrier's value (through the pipeline and the field table) must
 * equal `sysdig -r FILE -p "*%evt.num|%field|..."` (generated at run time, never committed).
 *
 * sysdig 0.29 predates today's libsinsp in places; each such difference is listed below with
 * its reason and a precise test, and every listed difference must actually occur. Fields that
 * sysdig 0.29 does not have are listed with the reason too, and checked to be exactly the
 * rule fields `sysdig -l` lacks.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { SyscallEvent } from '../../../decode/event.js';
import { syscallEvents } from '../../../decode/pipeline.js';
import { corpusPath } from '../../../testing/corpus.js';
import { fieldTableFor } from '../index.js';
import { resolveField } from '../resolve.js';
import type { FieldDefinition, FieldTable, FieldValue } from '../types.js';
import { formatEventArgs } from './event-values.js';
import {
  argsAgree,
  KNOWN_DIFFERENCES,
  NOT_COMPARED,
  NOT_COMPARED_WITHOUT_INDEX,
} from './sysdig-differences.js';

const SEPARATOR = '\x1f';
const hasSysdig = spawnSync('sysdig', ['--version']).status === 0;
const table = fieldTableFor('syscall') as FieldTable<SyscallEvent>;

/** sysdig 0.29 cannot read section headers with options; the same capture without them. */
const SYSDIG_UNREADABLE: Record<string, string> = {
  'curl_google_comments.scap': 'curl_google.scap',
};

const RULE_FILES = [
  'falco_rules.yaml', 'falco-incubating_rules.yaml', 'falco-sandbox_rules.yaml',
  'falco-deprecated_rules.yaml', 'application_rules.yaml', 'legacy_falco_rules_v1.0.1.yaml',
]; // prettier-ignore

interface RuleItem {
  condition?: unknown;
  output?: unknown;
  source?: string;
  exceptions?: Array<{ fields?: unknown }>;
}

/** Field references (with bracket argument) in the syscall rules' conditions and outputs. */
function ruleFields(): string[] {
  const classes = new Set(['evt', 'proc', 'thread', 'fd', 'fs', 'user', 'group', 'container']);
  const found = new Set<string>();
  const pattern = /(^|[\s(,%=!<>])([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+)(\[[^\]]*\])?(?=$|[\s(),:=!<>\]])/g;
  for (const file of RULE_FILES) {
    const items: RuleItem[] = parse(readFileSync(corpusPath('falco/rules', file), 'utf8')) ?? [];
    for (const item of items) {
      if ((item.source ?? 'syscall') !== 'syscall') continue;
      const texts = [item.condition, item.output, ...(item.exceptions ?? []).flatMap((e) => [e.fields].flat())];
      for (const text of texts.filter((t): t is string => typeof t === 'string')) {
        const unquoted = text.replaceAll('%container.info', '').replace(/"(?:[^"\\]|\\.)*"|'[^']*'/g, ' ');
        for (const match of unquoted.matchAll(pattern)) {
          if (classes.has(match[2].split('.')[0])) found.add(match[2] + (match[3] ?? ''));
        }
      }
    }
  }
  return [...found].sort();
} // prettier-ignore

function captures(): string[] {
  const traces = corpusPath('falco/tests-0.34.1/trace_files');
  const libs = corpusPath('falco/scap');
  return [
    ...readdirSync(traces)
      .filter((n) => n.includes('.scap'))
      .map((n) => `${traces}/${n}`),
    ...readdirSync(libs)
      .filter((n) => n.endsWith('.scap'))
      .map((n) => `${libs}/${n}`),
  ];
}

interface Field {
  name: string;
  definition: FieldDefinition<SyscallEvent>;
  argument?: string;
}

function resolveFieldName(name: string): Field {
  const bracket = /^(.*)\[(.*)\]$/.exec(name);
  const result = bracket ? resolveField(table, bracket[1], bracket[2]) : resolveField(table, name);
  if (!result.ok) throw new Error(`${name}: ${result.message}`);
  return { name, definition: result.definition, argument: result.argument };
}

/** A value as sysdig prints it. */
function shown(field: Field, value: FieldValue | undefined): string {
  if (value === undefined) return '<NA>';
  if (field.definition.display) return field.definition.display(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return String(value);
}

function sysdigLines(path: string, fields: Field[]): Map<number, string[]> {
  const format = `*%evt.num${SEPARATOR}${fields.map((f) => `%${f.name}`).join(SEPARATOR)}`;
  const output = execFileSync('sysdig', ['-r', path, '-p', format], { maxBuffer: 1 << 28 });
  const lines = new Map<number, string[]>();
  for (const line of output.toString('latin1').split('\n')) {
    if (line === '') continue;
    const parts = line.split(SEPARATOR);
    lines.set(Number(parts[0]), parts.slice(1));
  }
  return lines;
}

interface Tally {
  agree: Map<string, number>;
  explained: Map<string, number>;
  failures: string[];
}

const seenDifferences = new Map<string, number>();
const report: string[] = [];

function compareEvent(event: SyscallEvent, fields: Field[], theirs: string[], tally: Tally): void {
  fields.forEach((field, i) => {
    const ours =
      field.name === 'evt.args'
        ? formatEventArgs(event, { maxBufferLength: 80 })
        : shown(field, field.definition.extract?.(event, field.argument));
    const same = field.name === 'evt.args' ? argsAgree(event, ours, theirs[i]) : ours === theirs[i];
    if (same) {
      tally.agree.set(field.name, (tally.agree.get(field.name) ?? 0) + 1);
      return;
    }
    const family = field.name.startsWith('evt.arg.') || field.name.startsWith('evt.arg[') ? 'evt.arg' : field.name.replace(/\[.*/, '');
    const known = KNOWN_DIFFERENCES.find((d) => d.fields.includes(family) && d.applies(event, ours, theirs[i], field.name));
    if (known !== undefined) {
      tally.explained.set(field.name, (tally.explained.get(field.name) ?? 0) + 1);
      seenDifferences.set(known.reason, (seenDifferences.get(known.reason) ?? 0) + 1);
      return;
    }
    tally.failures.push(`#${event.num} ${event.info.name}${event.info.direction === 'enter' ? '>' : '<'} ${field.name}: ${ours} != ${theirs[i]}`);
  });
} // prettier-ignore

const sysdigFields = hasSysdig
  ? new Set(
      execFileSync('sysdig', ['-l'])
        .toString()
        .match(/^[a-z]+\.[a-zA-Z0-9_.]+/gm),
    )
  : new Set<string>();
const allRuleFields = ruleFields();
function isCompared(name: string): boolean {
  const base = name.replace(/\[.*/, '');
  if (name in NOT_COMPARED_WITHOUT_INDEX) return false;
  return !(base in NOT_COMPARED) && !(base.split('.').slice(0, 2).join('.') in NOT_COMPARED);
}
const compared = allRuleFields.filter(isCompared).map(resolveFieldName); // prettier-ignore

test('collects the ~90 fields the official syscall rules use, and resolves each', () => {
  assert.ok(allRuleFields.length >= 90, `${allRuleFields.length} fields`);
  for (const name of allRuleFields) assert.doesNotThrow(() => resolveFieldName(name), name);
});

test('lists as not comparable exactly the rule fields sysdig 0.29 lacks, each with a reason', { skip: !hasSysdig && 'sysdig is not installed' }, () => {
  for (const name of allRuleFields) {
    const base = name.replace(/\[.*/, '');
    const known = sysdigFields.has(base) || base.startsWith('evt.arg');
    const filterOnly = table.fields.get(base)?.filterOnly === true || name === 'proc.aname';
    const needsEngine = base.startsWith('container.') && base !== 'container.id';
    assert.equal(!isCompared(name), !known || filterOnly || needsEngine, name);
  }
}); // prettier-ignore

for (const path of captures()) {
  const name = path.split('/').pop() ?? path;
  test(`gives sysdig 0.29's value for every rule field on every event of ${name}`, { skip: !hasSysdig && 'sysdig is not installed' }, async () => {
    const reference = SYSDIG_UNREADABLE[name];
    const lines = sysdigLines(reference === undefined ? path : path.replace(name, reference), compared);
    const tally: Tally = { agree: new Map(), explained: new Map(), failures: [] };
    let events = 0;
    for await (const event of syscallEvents(path)) {
      const theirs = lines.get(event.num);
      if (theirs === undefined) continue;
      events++;
      compareEvent(event, compared, theirs, tally);
    }
    assert.equal(events, lines.size, 'every event sysdig prints was compared');
    const values = events * compared.length;
    const agreed = [...tally.agree.values()].reduce((a, b) => a + b, 0);
    const explained = [...tally.explained.entries()].map(([f, n]) => `${f} ${n}`).join(', ');
    report.push(`${name}: ${events} events x ${compared.length} fields: ${agreed}/${values} equal; explained: ${explained || 'none'}`);
    assert.deepEqual(tally.failures.slice(0, 25), []);
  });
} // prettier-ignore

test('every listed sysdig 0.29 difference occurs in the corpus', { skip: !hasSysdig && 'sysdig is not installed' }, (t) => {
  for (const line of report) t.diagnostic(line);
  for (const difference of KNOWN_DIFFERENCES) {
    assert.ok(seenDifferences.has(difference.reason), `never seen: ${difference.reason}`);
  }
}); // prettier-ignore
