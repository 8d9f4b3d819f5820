import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { corpusPath } from '../testing/corpus.js';
import { parseCondition } from './parser.js';
import { compileCondition, type CompileResult } from './compiler.js';
import { fieldTableFor } from './fields/index.js';
import type { FieldDefinition, FieldTable } from './fields/types.js';

/**
 * libs' compiler tests run against its real fields plus five mock ones (`c.true` ...) whose
 * values make the boolean structure observable. These mocks do the same here.
 */
function mockField(
  name: string,
  value: string | undefined,
  type: 'CHARBUF' | 'BYTEBUF' = 'CHARBUF',
): FieldDefinition {
  return { name, type, argument: 'none', description: 'test field', extract: () => value };
}

const syscallTable = fieldTableFor('syscall')!;
const testTable: FieldTable = {
  source: 'syscall',
  fields: new Map<string, FieldDefinition>([
    ...syscallTable.fields,
    ['c.true', mockField('c.true', '1')],
    ['c.false', mockField('c.false', '0')],
    ['c.buffer', mockField('c.buffer', undefined, 'BYTEBUF')],
    ['c.doublequote', mockField('c.doublequote', 'hello "quoted"')],
    ['c.singlequote', mockField('c.singlequote', "hello 'quoted'")],
  ]),
};

function compile(text: string): CompileResult<unknown> | { ok: false; error: { message: string } } {
  const parsed = parseCondition(text);
  if (!parsed.ok) return { ok: false, error: { message: parsed.error.message } };
  return compileCondition(parsed.ast, testTable);
}

/** The one row whose condition is a C++ variable: libs' filter_compiler.ut.cpp line 641. */
const longConditionAtLine641 =
  '(\t(evt.type = open or evt.type = openat)\tand evt.is_open_write = true\tand fd.typechar = f\tand fd.num >= 0)' +
  'and (\tfd.filename in (\t\t.bashrc, .bash_profile, .bash_history, .bash_login,\t\t.bash_logout, .inputrc, .profile, ' +
  '.cshrc, .login, .logout,\t\t.history, .tcshrc, .cshdirs, .zshenv, .zprofile, .zshrc,\t\t.zlogin, .zlogout\t)' +
  '\tor fd.name in (/etc/profile, /etc/bashrc, /etc/csh.cshrc, /etc/csh.login)\tor fd.directory in (/etc/zsh))' +
  'and not proc.name in (ash, bash, csh, ksh, sh, tcsh, zsh, dash)and not (\tproc.name = exe\tand ' +
  `(proc.cmdline contains "/var/lib/docker" or proc.cmdline contains '/var/run/docker')` +
  '\tand proc.pname in (dockerd, docker, dockerd-current, docker-current))';

type Row = { line: number; func: string; args: Array<{ str?: string; expr?: string }> };
const rows: Row[] = readFileSync(corpusPath('falco/libs-cases/filter_compiler_cases.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line));

test('evaluates every libs boolean-structure case to libs result', () => {
  const runs = rows.filter((row) => row.func === 'test_filter_run');
  assert.equal(runs.length, 40);
  for (const row of runs) {
    const expected = row.args[0].expr === 'true';
    const condition = row.args[1].str!;
    const result = compile(condition);
    assert.ok(result.ok, `${condition}: ${!result.ok && result.error.message}`);
    assert.equal(result.filter.evaluate({}), expected, condition);
  }
});

test('agrees with libs on which conditions compile and how many warnings each gives', () => {
  const cases = rows.filter((row) => row.func === 'test_filter_compile');
  assert.equal(cases.length, 325);
  const disagreements: string[] = [];
  for (const row of cases) {
    const condition = row.args[1].str ?? (row.line === 641 ? longConditionAtLine641 : undefined);
    assert.ok(condition !== undefined, `row at line ${row.line} has no condition text`);
    const expectFailure = row.args[2]?.expr === 'true';
    const expectedWarnings = Number(row.args[3]?.expr ?? 0);
    const result = compile(condition);
    if (result.ok === expectFailure) {
      const detail = result.ok ? 'compiled' : result.error.message;
      disagreements.push(`line ${row.line}: ${condition} -> ${detail}`);
    } else if (result.ok && result.warnings.length !== expectedWarnings) {
      disagreements.push(
        `line ${row.line}: ${condition} -> ${result.warnings.length} warnings, libs ${expectedWarnings}`,
      );
    }
  }
  assert.deepEqual(disagreements, []);
});

test('gives libs message for transformers given a field argument', () => {
  const cases = rows.filter((row) => row.func === 'test_filter_compile_msg');
  assert.equal(cases.length, 2);
  for (const row of cases) {
    const result = compile(row.args[1].str!);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.message, row.args[2].str);
  }
});

test('rejects an unknown field naming it, and flags it as unknown for skip-if-unknown-filter', () => {
  const result = compile('proc.nme = bash');
  assert.equal(result.ok, false);
  assert.ok(
    !result.ok && 'unknownField' in result.error && result.error.unknownField === 'proc.nme',
  );
});

test('reports an invalid regex at compile time instead of at match time', () => {
  const result = compile("proc.name regex '(unclosed'");
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error.message : '', /^invalid regex pattern/);
});
