import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FETCH_BAD_PORTS } from './fetch-bad-ports.js';
import { loadConfig } from './load-config.js';

/** Whether this Node's fetch refuses `port` before connecting (loopback only). */
async function fetchRefuses(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x' });
    return false;
  } catch (error) {
    return String((error as Error & { cause?: Error }).cause?.message).includes('bad port');
  }
}

test("the bad ports are exactly those this Node's fetch refuses, among them and their neighbours", async () => {
  const ports = new Set<number>();
  for (const port of FETCH_BAD_PORTS)
    for (const near of [port - 1, port, port + 1]) ports.add(near);
  ports.delete(0);
  const refused = new Set<number>();
  for (const port of ports) if (await fetchRefuses(port)) refused.add(port);
  assert.deepEqual(
    [...refused].sort((a, b) => a - b),
    [...FETCH_BAD_PORTS],
  );
});

test('an output URL on a bad port is a configuration error at its key', () => {
  const text = 'outputs:\n  - name: hook\n    type: webhook\n    url: http://127.0.0.1:9/alerts\n';
  const { config, diagnostics } = loadConfig(text, 'harrier.yaml', {});
  assert.equal(config, undefined);
  assert.deepEqual(
    diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`),
    [
      `4:10 HARRIER_CONFIG_INVALID port 9 of 'outputs[0].url' is one that fetch refuses (a "bad port" of the Fetch standard), so no alert would arrive: use another port`,
    ],
  );
  const zero = loadConfig(text.replace('127.0.0.1:9', '127.0.0.1:0'), 'harrier.yaml', {});
  assert.deepEqual(
    zero.diagnostics.map((d) => d.message),
    ["port 0 of 'outputs[0].url' names no port: give the port the destination listens on"],
  );
  // The default port of the scheme is never a bad one.
  const fine = loadConfig(text.replace('127.0.0.1:9', '127.0.0.1'), 'harrier.yaml', {});
  assert.deepEqual(fine.diagnostics, []);
});
