/**
 * Where output errors point: at the `%field` token that is wrong, in plain and folded
 * outputs, after a dropped `%container.info`, and in text an `append` added; and where
 * condition warnings found through a macro go: to the macro, once; and where the warning
 * about fd fields on events without an fd goes: to the field, in the rule's path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleFiles } from './loader.js';

function outputErrors(content: string): string[] {
  return loadRuleFiles([{ name: 'f.yaml', content }])
    .diagnostics.filter((diagnostic) => diagnostic.code === 'LOAD_ERR_COMPILE_OUTPUT')
    .map(({ line, column, snippet }) => `${line}:${column} ${snippet.slice(column - 1)}`);
}

const rule = (output: string) =>
  `- rule: R\n  desc: d\n  condition: evt.type = execve\n  output: ${output}\n  priority: NOTICE\n`;

test('an unknown output field is reported at its % token', () => {
  assert.deepEqual(outputErrors(rule('shell by %user.name with %proc.nmae and %fd.name')), [
    '4:36 %proc.nmae and %fd.name',
  ]);
});

test('in a folded output the error is on the token line', () => {
  const content = rule('>\n    started %proc.name\n    and %nope.x here');
  assert.deepEqual(outputErrors(content), ['6:9 %nope.x here']);
});

test('a dropped %container.info before the token does not shift the place', () => {
  assert.deepEqual(outputErrors(rule('"*x %container.info y %proc.nmae"')), ['4:33 %proc.nmae"']);
});

test('a token in appended output text is reported in the append', () => {
  const content =
    rule('started %proc.name') +
    '- rule: R\n  output: and %nope.x\n  override:\n    output: append\n';
  assert.deepEqual(outputErrors(content), ['7:15 %nope.x']);
});

test('a deprecated check inside a macro warns once, at the macro, however many rules use it', () => {
  const ruleUsing = (name: string, condition: string) =>
    `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: NOTICE\n`;
  const content =
    '- macro: spawned\n  condition: evt.type = execve and evt.dir = <\n' +
    ruleUsing('A', 'spawned and proc.name = a') +
    ruleUsing('B', 'spawned and proc.name = b') +
    ruleUsing('C', 'evt.type = open and evt.dir = >');
  const warnings = loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics.map(
    ({ code, line, column, path }) => `${code} ${line}:${column} ${path}`,
  );
  assert.deepEqual(warnings, [
    "LOAD_DEPRECATED_ITEM 2:36 macro 'spawned' > condition",
    "LOAD_DEPRECATED_ITEM 15:34 rule 'C' > condition",
  ]);
});

test('fd fields on events without an fd warn at the field, through a macro too', () => {
  const ruleUsing = (name: string, condition: string) =>
    `- rule: ${name}\n  desc: d\n  condition: ${condition}\n  output: o\n  priority: NOTICE\n`;
  const content =
    '- macro: in_etc\n  condition: fd.name startswith /etc\n' +
    ruleUsing('A', 'evt.type in (unlinkat, renameat2) and fd.name startswith /etc') +
    ruleUsing('B', 'evt.type = rename and in_etc') +
    ruleUsing('C', 'evt.type in (open, rename) and in_etc') +
    ruleUsing('D', 'evt.type = unlinkat and evt.arg.name startswith /etc');
  const warnings = loadRuleFiles([{ name: 'f.yaml', content }]).diagnostics.map(
    ({ code, line, column, path }) => `${code} ${line}:${column} ${path}`,
  );
  assert.deepEqual(warnings, [
    "HARRIER_FD_FIELD_WITHOUT_FD 5:52 rule 'A' > condition",
    "HARRIER_FD_FIELD_WITHOUT_FD 2:14 rule 'B' > condition > macro 'in_etc' > condition",
  ]);
});
