import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyscallEvent } from '../../../decode/event.js';
import { syscallEvents } from '../../../decode/pipeline.js';
import { corpusPath } from '../../../testing/corpus.js';
import { compileCondition } from '../../compiler.js';
import { parseCondition } from '../../parser.js';
import { fieldTableFor } from '../index.js';
import type { FieldTable } from '../types.js';

const table = fieldTableFor('syscall') as FieldTable<SyscallEvent>;

function holds(condition: string, event: SyscallEvent): boolean {
  const parsed = parseCondition(condition);
  assert.ok(parsed.ok);
  const compiled = compileCondition(parsed.ast, table);
  assert.ok(compiled.ok, condition);
  return compiled.filter.evaluate(event);
}

/** The exit of a TCP connect to 127.0.0.1:5000 (the client port is ephemeral). */
async function localConnect(): Promise<SyscallEvent> {
  const capture = corpusPath('falco/tests-0.34.1/trace_files/connect_localhost.scap');
  for await (const event of syscallEvents(capture)) {
    const isConnect = event.info.name === 'connect' && event.info.direction === 'exit';
    if (isConnect && event.fd?.kind === 'ipv4') return event;
  }
  throw new Error('no IPv4 connect exit');
}

test('fd.port, fd.ip and fd.net != hold only when both ends differ, as in libsinsp', async () => {
  const event = await localConnect();
  const clientPort = Number(table.fields.get('fd.cport')?.extract?.(event, undefined));
  const serverPort = Number(table.fields.get('fd.sport')?.extract?.(event, undefined));
  assert.notEqual(clientPort, serverPort, 'the two ends differ, so the test means something');
  assert.equal(holds(`fd.port != ${serverPort}`, event), false);
  assert.equal(holds(`fd.port != ${clientPort}`, event), false);
  assert.equal(holds(`fd.port = ${serverPort}`, event), true);
  assert.equal(holds('fd.port != 1', event), true);
  assert.equal(holds('fd.ip != 127.0.0.1', event), false);
  assert.equal(holds('fd.ip != 10.0.0.1', event), true);
  assert.equal(holds('fd.net != 127.0.0.0/8', event), false);
  assert.equal(holds('fd.net != 10.0.0.0/8', event), true);
});
