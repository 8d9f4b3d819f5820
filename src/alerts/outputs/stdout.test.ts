import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { sampleAlert } from '../../testing/sample-alert.js';
import { createStdoutDestination } from './stdout.js';
import { neverAbort, testContext } from '../../testing/loopback.js';

async function written(format: 'text' | 'json' | undefined, template?: string): Promise<string> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const destination = createStdoutDestination({ format }, testContext(template), stream);
  await destination.send(
    [1, 2].map((sequence) => ({
      id: `${sequence}`,
      attempts: 0,
      alert: sampleAlert({ sequence }),
    })),
    neverAbort,
  );
  return text;
}

test('text format writes the output line of each alert', async () => {
  const lines = (await written('text')).split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], sampleAlert({ sequence: 1 }).output);
  assert.equal(lines[2], '');
});

test('a template replaces the output line', async () => {
  assert.equal(
    await written('text', '{{priority}} {{rule}} pid={{proc.pid}} user={{user.name}}'),
    'Notice Terminal shell in container pid=1 user=<NA>\nNotice Terminal shell in container pid=2 user=<NA>\n',
  );
});

test('json format writes Falco JSON lines', async () => {
  const lines = (await written('json'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.deepEqual(Object.keys(lines[0]), [
    'hostname',
    'output',
    'priority',
    'rule',
    'source',
    'tags',
    'time',
    'output_fields',
  ]);
  assert.equal(lines[1].output_fields['proc.pid'], 2);
  assert.equal(lines[0].time, '2024-05-01T12:00:00.000001000Z');
});
