import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseJsonText, lineAndColumn, describeOrigin, MAX_JSON_DEPTH } from './json-text.js';
import { findJsonFault, showText } from './json-fault.js';
import { splitAuditPayload, unrecognizedPayload } from './audit-payload.js';

/** JSON texts with a few characters replaced, dropped or inserted. */
const damagedJson = fc
  .tuple(
    fc.json(),
    fc.array(
      fc.tuple(
        fc.nat(),
        fc.constantFrom('', '{', '}', '[', ']', ',', ':', '"', '\\', 'x', '\n', '0'),
      ),
      { maxLength: 4 },
    ),
  )
  .map(([text, edits]) =>
    edits.reduce((acc, [at, piece]) => {
      const position = acc.length === 0 ? 0 : at % acc.length;
      return acc.slice(0, position) + piece + acc.slice(position + (piece === '' ? 1 : 0));
    }, text),
  );

test('parseJsonText never throws and positions every fault inside the text (fuzz)', () => {
  fc.assert(
    fc.property(fc.oneof(damagedJson, fc.string(), fc.json()), (text) => {
      const parsed = parseJsonText(text);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(parsed.ok, valid);
      assert.equal(findJsonFault(text) === undefined, valid);
      if (parsed.ok) return;
      const lines = text.split('\n');
      assert.ok(parsed.line >= 1 && parsed.line <= lines.length);
      assert.ok(parsed.column >= 1 && parsed.column <= lines[parsed.line - 1].length + 1);
      assert.match(parsed.reason, /^invalid JSON: /);
    }),
    { numRuns: 3000 },
  );
});

test('100,000 open brackets are a positioned nesting error, not a stack overflow', () => {
  const text = '['.repeat(100_000);
  assert.deepEqual(parseJsonText(text), {
    ok: false,
    reason: 'JSON nested too deep (more than 512 levels of arrays and objects)',
    line: 1,
    column: 513,
  });
  const closed = `{"kind":"Event",\n"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  assert.deepEqual(parseJsonText(closed), {
    ok: false,
    reason: 'JSON nested too deep (more than 512 levels of arrays and objects)',
    line: 2,
    column: 516,
  });
});

test('nesting up to the limit parses, and brackets inside strings do not count', () => {
  const deepest = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
  assert.equal(parseJsonText(deepest).ok, true);
  const quoted = JSON.stringify({ text: '['.repeat(2000), escaped: '\\"[[[' });
  assert.deepEqual(parseJsonText(quoted), { ok: true, value: JSON.parse(quoted) });
});

/** Texts nested 0 to 1,500 levels around a scalar, closed or cut off. */
const nestedJson = fc
  .record({
    openers: fc.array(fc.constantFrom('[', '{"k":', '{"[{":'), { maxLength: 1500 }),
    separator: fc.constantFrom('', ' ', '\n'),
    inner: fc.oneof(fc.string(), fc.integer(), fc.constant('"]]}}"')),
    closed: fc.boolean(),
  })
  .map(({ openers, separator, inner, closed }) => {
    const closers = openers.map((opener) => (opener === '[' ? ']' : '}')).reverse();
    const text = openers.join(separator) + separator + JSON.stringify(inner);
    const tooDeepAt =
      openers.length > MAX_JSON_DEPTH
        ? openers.slice(0, MAX_JSON_DEPTH).join(separator).length + separator.length
        : -1;
    return { text: closed ? text + closers.join(separator) : text, tooDeepAt };
  });

test('nesting past the limit is reported at the first opener past it, never thrown (fuzz)', () => {
  fc.assert(
    fc.property(nestedJson, ({ text, tooDeepAt }) => {
      const parsed = parseJsonText(text);
      if (tooDeepAt < 0) {
        assert.equal(parsed.ok, findJsonFault(text) === undefined);
        return;
      }
      assert.deepEqual(parsed, {
        ok: false,
        reason: 'JSON nested too deep (more than 512 levels of arrays and objects)',
        ...lineAndColumn(text, tooDeepAt),
      });
      assert.deepEqual(findJsonFault(text, MAX_JSON_DEPTH), { offset: tooDeepAt, kind: 'depth' });
    }),
    { numRuns: 300 },
  );
});

test('faults are placed at the first wrong character', () => {
  assert.deepEqual(parseJsonText('{"a": 1,\n  "b" 2}'), {
    ok: false,
    reason: "invalid JSON: unexpected '2'",
    line: 2,
    column: 7,
  });
  assert.deepEqual(parseJsonText('[1, 2] 3'), {
    ok: false,
    reason: "invalid JSON: unexpected text after the value: '3'",
    line: 1,
    column: 8,
  });
  assert.deepEqual(parseJsonText('"tab\there"'), {
    ok: false,
    reason: 'invalid JSON: unescaped U+0009 inside a string',
    line: 1,
    column: 5,
  });
  assert.deepEqual(parseJsonText(' \n '), {
    ok: false,
    reason: 'invalid JSON: empty input',
    line: 2,
    column: 2,
  });
});

test('a line cut inside a string is an end of input inside a string, at the end of the line', () => {
  const line = '{"kind":"Event","verb":"cre';
  assert.deepEqual(parseJsonText(line), {
    ok: false,
    reason: 'invalid JSON: unexpected end of input inside a string',
    line: 1,
    column: line.length + 1,
  });
  for (const cut of ['{"a":"x\\', '{"a":"x\\u00', '{"ke']) {
    const parsed = parseJsonText(cut);
    assert.deepEqual(parsed, {
      ok: false,
      reason: 'invalid JSON: unexpected end of input inside a string',
      line: 1,
      column: cut.length + 1,
    });
  }
  assert.deepEqual(parseJsonText('["a\\q"]'), {
    ok: false,
    reason: 'invalid JSON: invalid escape inside a string',
    line: 1,
    column: 4,
  });
  assert.deepEqual(parseJsonText('["a\\u12x4"]'), {
    ok: false,
    reason: 'invalid JSON: invalid escape inside a string',
    line: 1,
    column: 4,
  });
});

test('invisible characters in a fault are shown by code point', () => {
  assert.deepEqual(parseJsonText('\uFEFF{"kind":"Event"}'), {
    ok: false,
    reason: 'invalid JSON: unexpected U+FEFF',
    line: 1,
    column: 1,
  });
  assert.equal(
    (parseJsonText('[1,\u00a0 2]') as { reason: string }).reason,
    'invalid JSON: unexpected U+00A0',
  );
  assert.equal(
    (parseJsonText('[1] \u200b') as { reason: string }).reason,
    'invalid JSON: unexpected text after the value: U+200B',
  );
  assert.equal(
    (parseJsonText('[1] x') as { reason: string }).reason,
    "invalid JSON: unexpected text after the value: 'x'",
  );
  assert.equal(showText('\uFEFFkind a\u0007'), '<U+FEFF>kind a<U+0007>');
});

test('lineAndColumn and describeOrigin', () => {
  assert.deepEqual(lineAndColumn('ab\ncd\n', 4), { line: 2, column: 2 });
  assert.equal(describeOrigin({ file: 'a.json', line: 3, column: 4 }), 'a.json:3:4');
  assert.equal(describeOrigin({ request: '7', index: 2 }), 'request 7 item 2');
});

test('splitAuditPayload reads Event, EventList of any apiVersion, and arrays of them', () => {
  const event = { kind: 'Event', apiVersion: 'audit.k8s.io/v1beta1', auditID: 'a' };
  const list = { kind: 'EventList', items: [{ auditID: 'b' }, { auditID: 'c' }] };
  const split = splitAuditPayload([event, list], { request: '1' });
  assert.ok(split.ok);
  assert.deepEqual(
    split.records.map((record) => [
      record.origin.index,
      (record.value as { auditID: string }).auditID,
    ]),
    [
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
    ],
  );
  assert.deepEqual(splitAuditPayload({ kind: 0 }, {}), { ok: false, reason: unrecognizedPayload });
  assert.deepEqual(splitAuditPayload({ kind: 'EventList' }, {}), {
    ok: false,
    reason: unrecognizedPayload,
  });
});

test('splitAuditPayload never throws on arbitrary JSON (fuzz)', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const split = splitAuditPayload(value, { request: 'x' });
      if (split.ok)
        split.records.forEach((record, index) => assert.equal(record.origin.index, index));
      else assert.equal(split.reason, unrecognizedPayload);
    }),
    { numRuns: 2000 },
  );
});
