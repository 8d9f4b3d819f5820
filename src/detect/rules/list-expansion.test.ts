/**
 * List substitution in condition text, with Falco's delimiters, quoting and index mapping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandLists, quoteItem } from './list-expansion.js';

test('replaces a list name between delimiters and maps new indexes to the name', () => {
  const expanded = expandLists('proc.name in (shells)', [
    { name: 'shells', items: ['bash', 'sh'] },
  ]);
  assert.equal(expanded.text, 'proc.name in ( bash, sh )');
  assert.deepEqual([...expanded.used], ['shells']);
  assert.equal(expanded.origin[expanded.text.indexOf('bash')], 'proc.name in ('.length);
  assert.equal(expanded.origin[expanded.text.length - 1], 'proc.name in (shells'.length);
});

test('leaves names that are part of longer words or quoted strings alone', () => {
  const lists = [{ name: 'sh', items: ['x'] }];
  assert.equal(
    expandLists('proc.name in (bash, sh_x) and a = "sh"', lists).text,
    'proc.name in (bash, sh_x) and a = "sh"',
  );
});

test('an empty list also removes the comma next to it', () => {
  const lists = [{ name: 'none', items: [] }];
  assert.equal(expandLists('x in (a, none)', lists).text, 'x in (a  )');
  assert.equal(expandLists('x in (none, a)', lists).text, 'x in (   a)');
});

test('a list name outside parentheses is substituted too, as bare text', () => {
  assert.equal(
    expandLists('proc.name = one', [{ name: 'one', items: ['cat'] }]).text,
    'proc.name = cat ',
  );
});

test('quotes items with spaces unless they already start with a quote', () => {
  assert.equal(quoteItem('a b'), '"a b"');
  assert.equal(quoteItem("'a b'"), "'a b'");
  assert.equal(quoteItem('ab'), 'ab');
});
