import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { K8sAuditEvent } from '../../decode/json-events.js';
import { createJsonFieldDefinitions, readJsonPointer } from './json.js';

const document = {
  'a/b': { 'c~d': 'escaped' },
  list: ['zero', { deep: null }],
  count: 3,
  flag: false,
};

test('walks JSON pointers with the plugin escapes and array indexes', () => {
  assert.equal(readJsonPointer(document, '/a~1b/c~0d'), 'escaped');
  assert.equal(readJsonPointer(document, 'a~1b/c~0d'), 'escaped');
  assert.equal(readJsonPointer(document, '/list/0'), 'zero');
  assert.equal(readJsonPointer(document, '/list/1'), '{"deep":null}');
  assert.equal(readJsonPointer(document, '/list/1/deep'), 'null');
  assert.equal(readJsonPointer(document, '/count'), '3');
  assert.equal(readJsonPointer(document, '/flag'), 'false');
  assert.equal(readJsonPointer(document, '/list/2'), undefined);
  assert.equal(readJsonPointer(document, '/list/x'), undefined);
  assert.equal(readJsonPointer(document, '/missing'), undefined);
  assert.equal(readJsonPointer(document, '/count/0'), undefined);
  assert.equal(readJsonPointer([1, 2], ''), '[1,2]');
});

test('defines json.* and jevt.* with the same shapes and values', () => {
  const fields = createJsonFieldDefinitions();
  assert.deepEqual(
    fields.map((field) => [field.name, field.argument]),
    [
      ['json.value', 'required'],
      ['json.obj', 'none'],
      ['json.rawtime', 'none'],
      ['jevt.value', 'required'],
      ['jevt.obj', 'none'],
      ['jevt.rawtime', 'none'],
    ],
  );
  const event: K8sAuditEvent = { source: 'k8s_audit', ts: 42n, raw: { kind: 'Event', n: [1] } };
  const read = (index: number, argument?: string) => fields[index].extract?.(event, argument);
  assert.equal(read(0, '/kind'), 'Event');
  assert.equal(read(3, '/kind'), 'Event');
  assert.equal(read(1), '{\n  "kind": "Event",\n  "n": [\n    1\n  ]\n}');
  assert.equal(read(4), read(1));
  assert.equal(read(2), '42');
  assert.equal(read(5), '42');
});

test('gives nothing for payloads that are not a JSON object or array', () => {
  const [value, object] = createJsonFieldDefinitions();
  const event: K8sAuditEvent = { source: 'k8s_audit', ts: 0n, raw: 'plain text' };
  assert.equal(value.extract?.(event, '/x'), undefined);
  assert.equal(object.extract?.(event, undefined), undefined);
});
