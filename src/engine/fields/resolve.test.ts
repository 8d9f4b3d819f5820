import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldTableFor } from './index.js';
import { resolveField } from './resolve.js';
import type { FieldTable } from './types.js';

const syscall = fieldTableFor('syscall')!;
const audit = fieldTableFor('k8s_audit')!;
const trail = fieldTableFor('aws_cloudtrail')!;

/** `[field, argument]` on success, the message on failure. */
function resolve(
  table: FieldTable,
  name: string,
  bracket?: string,
): [string, string | undefined] | string {
  const result = resolveField(table, name, bracket);
  return result.ok ? [result.definition.name, result.argument] : result.message;
}

test('resolves exact names without an argument', () => {
  assert.deepEqual(resolve(syscall, 'proc.name'), ['proc.name', undefined]);
  assert.deepEqual(resolve(syscall, 'fd.sip.name'), ['fd.sip.name', undefined]);
  assert.deepEqual(resolve(audit, 'ka.verb'), ['ka.verb', undefined]);
});

test('takes the text after the longest argument-taking dotted prefix as the argument', () => {
  assert.deepEqual(resolve(syscall, 'evt.arg.fd'), ['evt.arg', 'fd']);
  assert.deepEqual(resolve(syscall, 'evt.rawarg.res'), ['evt.rawarg', 'res']);
  assert.deepEqual(resolve(syscall, 'evt.type.is.open'), ['evt.type.is', 'open']);
  assert.deepEqual(resolve(syscall, 'evt.type.is.3'), ['evt.type.is', '3']);
  assert.deepEqual(resolve(syscall, 'thread.cgroup.cpuacct'), ['thread.cgroup', 'cpuacct']);
  assert.deepEqual(resolve(syscall, 'evt.abspath.src'), ['evt.abspath', 'src']);
});

test('passes bracket arguments through for fields that take them', () => {
  assert.deepEqual(resolve(syscall, 'proc.aname', '2'), ['proc.aname', '2']);
  assert.deepEqual(resolve(syscall, 'proc.aname'), ['proc.aname', undefined]);
  assert.deepEqual(resolve(syscall, 'proc.args', '1'), ['proc.args', '1']);
  assert.deepEqual(resolve(syscall, 'proc.env', 'HOME'), ['proc.env', 'HOME']);
  assert.deepEqual(resolve(syscall, 'evt.arg', '0'), ['evt.arg', '0']);
  assert.deepEqual(resolve(syscall, 'fd.types', '3'), ['fd.types', '3']);
  assert.deepEqual(resolve(syscall, 'container.mount.dest', '/var/run/docker.sock'), [
    'container.mount.dest',
    '/var/run/docker.sock',
  ]);
  assert.deepEqual(resolve(audit, 'ka.req.pod.containers.image', '0'), [
    'ka.req.pod.containers.image',
    '0',
  ]);
  assert.deepEqual(resolve(audit, 'json.value', '/user/username'), [
    'json.value',
    '/user/username',
  ]);
});

test('reports unknown names with libs wording and marks them unknown', () => {
  const result = resolveField(syscall, 'proc.nobody');
  assert.deepEqual(result, {
    ok: false,
    message: 'filter_check called with nonexistent field proc.nobody',
    unknown: true,
  });
  assert.equal(
    resolve(syscall, 'evt.type.foo'),
    'filter_check called with nonexistent field evt.type.foo',
  );
  assert.equal(resolve(audit, 'proc.name'), 'filter_check called with nonexistent field proc.name');
  assert.equal(resolve(trail, 'ka.verb'), 'filter_check called with nonexistent field ka.verb');
});

test('treats a bad argument to a libsinsp field as libs does: an unknown name or its message', () => {
  const unknown = (name: string) => `filter_check called with nonexistent field ${name}`;
  assert.equal(resolve(syscall, 'proc.aname', 'x'), unknown('proc.aname[x]'));
  assert.equal(resolve(syscall, 'proc.aname.x'), unknown('proc.aname.x'));
  assert.equal(resolve(syscall, 'proc.name', '1'), unknown('proc.name[1]'));
  assert.equal(resolve(syscall, 'evt.arg.fdx'), unknown('evt.arg.fdx'));
  assert.equal(resolve(syscall, 'evt.type.is.nosuchevent'), unknown('evt.type.is.nosuchevent'));
  assert.equal(resolve(syscall, 'evt.abspath.other'), unknown('evt.abspath.other'));
  assert.equal(resolve(syscall, 'evt.arg', 'x'), 'x is not a valid number');
  assert.equal(resolve(syscall, 'fd.types', 'x'), 'x is not a valid number');
  assert.equal(resolve(syscall, 'evt.arg.nosuchparam'), 'unknown event argument nosuchparam');
  assert.equal(resolve(syscall, 'evt.rawarg', 'fd'), 'evt.arg fields must be expressed explicitly');
  assert.equal(resolve(syscall, 'evt.around.x'), 'wrong syntax for evt.around');
});

test('requires the argument of fields that need one', () => {
  assert.equal(resolve(syscall, 'evt.arg'), 'filter syntax error: evt.arg');
  assert.equal(resolve(syscall, 'evt.rawarg'), 'filter syntax error: evt.rawarg');
  assert.equal(resolve(syscall, 'evt.type.is'), 'filter syntax error: evt.type.is');
  assert.equal(resolve(syscall, 'thread.cgroup'), 'filter syntax error: thread.cgroup');
  assert.equal(resolve(syscall, 'thread.cgroup', 'cpu'), 'filter syntax error: thread.cgroup[cpu]');
  assert.deepEqual(resolve(syscall, 'evt.abspath'), ['evt.abspath', undefined]);
  assert.equal(
    resolve(syscall, 'container.label'),
    "filter 'container.label': container.label requires an argument but none provided",
  );
  assert.equal(
    resolve(syscall, 'k8s.pod.label.app'),
    "filter 'k8s.pod.label.app': k8s.pod.label requires an argument but none provided",
  );
  assert.equal(
    resolve(audit, 'ka.uri.param'),
    "filter 'ka.uri.param': ka.uri.param requires an argument but none provided",
  );
});

test('rejects plugin field arguments with the plugin wording', () => {
  assert.equal(
    resolve(audit, 'ka.verb', 'x'),
    "filter 'ka.verb[x]': ka.verb does not allow nor require an argument but one is provided: x",
  );
  assert.equal(
    resolve(audit, 'ka.req.pod.containers.image', 'x'),
    'filter ka.req.pod.containers.image[x] ka.req.pod.containers.image has an invalid index argument not composed only by digits: x',
  );
  assert.equal(
    resolve(trail, 'ec2.imageids', '01'),
    'filter ec2.imageids[01] ec2.imageids has an invalid index argument starting with 0: 01',
  );
  assert.equal(
    resolve(audit, 'json.value', 'a b'),
    "filter 'json.value[a': json.value has unbalanced argument brackets",
  );
  // Index-or-key arguments accept any text.
  assert.deepEqual(resolve(syscall, 'container.mount', '01'), ['container.mount', '01']);
  // A plugin field never takes a dotted argument.
  assert.equal(
    resolve(audit, 'ka.req.pod.containers.image.x'),
    'filter_check called with nonexistent field ka.req.pod.containers.image.x',
  );
});
