import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlertRouter } from '../alerts/index.js';
import { capturingLogger } from '../testing/capturing-logger.js';
import { startCaptureServer } from '../testing/loopback.js';
import { sampleAlert } from '../testing/sample-alert.js';
import { AlertStore } from './alert-store.js';
import { storeSchema } from './schema.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'harrier-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a store an older Harrier left 0644 is reopened as 0600, its alerts kept, with a warning', (t) => {
  const file = path.join(tempDir(t), 'alerts.db');
  const older = new AlertStore({ path: file });
  older.record('kept', sampleAlert());
  older.close();
  chmodSync(file, 0o644);
  const { logger, lines } = capturingLogger();

  const store = new AlertStore({ path: file, logger });
  try {
    assert.equal((statSync(file).mode & 0o777).toString(8), '600');
    assert.deepEqual(
      store.search().map((stored) => stored.id),
      ['kept'],
    );
    assert.deepEqual(
      lines.map((line) => [line.level, line.files, line.previousModes]),
      [[40, [file], ['0644']]],
    );
  } finally {
    store.close();
  }
});

test('a file that is no store (--store /etc/hosts) is refused, its mode and text unchanged (F1)', (t) => {
  const file = path.join(tempDir(t), 'hosts');
  writeFileSync(file, '127.0.0.1 localhost\n');
  chmodSync(file, 0o644);
  const { logger, lines } = capturingLogger();

  assert.throws(() => new AlertStore({ path: file, logger }), /file is not a database/);

  assert.equal((statSync(file).mode & 0o777).toString(8), '644');
  assert.equal(readFileSync(file, 'utf8'), '127.0.0.1 localhost\n');
  assert.deepEqual(lines, []);
});

test("another program's SQLite database is refused as a store, left without Harrier's tables", (t) => {
  const file = path.join(tempDir(t), 'app.db');
  const other = new Database(file);
  other.exec('CREATE TABLE users (name TEXT)');
  other.close();
  chmodSync(file, 0o644);

  assert.throws(() => new AlertStore({ path: file }), /tables Harrier does not make \(users\)/);

  const reopened = new Database(file, { readonly: true });
  const tables = reopened.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
  reopened.close();
  assert.deepEqual(tables, [{ name: 'users' }]);
  assert.equal((statSync(file).mode & 0o777).toString(8), '644');
});

test('searches by rule, priority, source, time and container prefix or name, newest first', () => {
  const store = new AlertStore({ path: ':memory:' });
  const second = (n: number): bigint => 1_714_564_800_000_000_000n + BigInt(n) * 1_000_000_000n;
  store.record('a', sampleAlert({ time: second(1), rule: 'Write below etc', priority: 'Error' }));
  store.record(
    'b',
    sampleAlert({ time: second(2), priority: 'Warning', containerId: 'abcdef123456' }),
  );
  store.record('c', sampleAlert({ time: second(3), priority: 'Debug', source: 'k8s_audit' }));
  const ids = (query: Parameters<AlertStore['search']>[0]): string[] =>
    store.search(query).map((s) => s.id);

  assert.deepEqual(ids({}), ['c', 'b', 'a']);
  assert.deepEqual(ids({ rule: 'Write below etc' }), ['a']);
  assert.deepEqual(ids({ rule: 'Write*' }), ['a']);
  assert.deepEqual(ids({ priority: 'Warning' }), ['b', 'a']);
  assert.deepEqual(ids({ source: 'k8s_audit' }), ['c']);
  assert.deepEqual(ids({ container: 'abcdef' }), ['b']);
  assert.deepEqual(ids({ container: 'web-1' }), ['c', 'b', 'a']);
  assert.deepEqual(ids({ sinceMs: Number(second(2) / 1_000_000n) }), ['c', 'b']);
  assert.equal(store.count({ priority: 'Warning' }), 2);
  assert.deepEqual(ids({ limit: 1 }), ['c']);
  store.close();
});

test('keeps output fields exactly and the related events in order', (t) => {
  const file = path.join(tempDir(t), 'alerts.db');
  const store = new AlertStore({ path: file });
  const alert = sampleAlert({ sequence: 7 });
  alert.outputFields.set('proc.vpid', 9_007_199_254_740_993n);
  store.record('x', alert, {
    lineage: [
      { 'proc.name': 'bash', 'proc.pid': 7n },
      { 'proc.name': 'sshd', 'proc.pid': 1n },
    ],
    recent: [{ 'evt.type': 'execve', 'fd.name': null }],
  });
  store.close();

  const reopened = new AlertStore({ path: file });
  const detail = reopened.detail('x')!;
  assert.equal(detail.alert.outputFields.get('proc.vpid'), 9_007_199_254_740_993n);
  assert.equal(detail.alert.time, alert.time);
  assert.deepEqual(detail.lineage, [
    { 'proc.name': 'bash', 'proc.pid': 7 },
    { 'proc.name': 'sshd', 'proc.pid': 1 },
  ]);
  assert.deepEqual(detail.recent, [{ 'evt.type': 'execve', 'fd.name': null }]);
  assert.equal(reopened.detail('missing'), undefined);
  reopened.close();
});

test('retention deletes alerts stored longer ago than the maximum age and beyond the maximum count', () => {
  const day = 86_400_000;
  let now = Date.UTC(2024, 4, 10);
  const store = new AlertStore({
    path: ':memory:',
    retention: { maxAgeMs: 5 * day, maxAlerts: 2 },
    pruneIntervalMs: 0,
    clock: () => now,
  });
  for (const [index, ageDays] of [10, 4, 3, 2].entries()) {
    now = Date.UTC(2024, 4, 10) - ageDays * day;
    store.record(`a${index}`, sampleAlert({ sequence: index }));
    store.write();
  }
  now = Date.UTC(2024, 4, 10);
  store.record('rel', sampleAlert({ sequence: 9 }), { recent: [{ 'evt.type': 'open' }] });
  assert.equal(store.prune(now), 3);
  assert.deepEqual(
    store.search().map((s) => s.id),
    ['rel', 'a3'],
  );
  store.close();
});

test('keeps the alerts of a replayed old capture: their age counts from when they were stored', (t) => {
  const file = path.join(tempDir(t), 'alerts.db');
  const day = 86_400_000;
  const retention = { maxAgeMs: 30 * day };
  const stored = Date.UTC(2026, 0, 10);
  const store = new AlertStore({ path: file, retention, clock: () => stored });
  // cat_write.scap's events are of 2016, years past the maximum age.
  store.record('old', sampleAlert({ time: BigInt(Date.UTC(2016, 7, 4)) * 1_000_000n }));
  store.close();

  const reopened = new AlertStore({ path: file, retention, clock: () => stored + 29 * day });
  assert.deepEqual(
    reopened.search().map((s) => s.id),
    ['old'],
  );
  assert.equal(reopened.prune(stored + 31 * day), 1);
  assert.equal(reopened.count(), 0);
  reopened.close();
});

test('a store made before stored times ages its alerts by event time', (t) => {
  const file = path.join(tempDir(t), 'alerts.db');
  const day = 86_400_000;
  const old = new Database(file);
  old.exec(storeSchema.replace(',\n  stored_ns INTEGER NOT NULL', ''));
  const insert = old.prepare(
    `INSERT INTO alerts (id, time_ns, rule, priority, severity, source, hostname, output, alert)
       VALUES (?, ?, 'r', 'Notice', 5, 'syscall', 'h', 'o', '{}')`,
  );
  insert.run('ten-days', BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n);
  insert.run('forty-days', BigInt(Date.UTC(2025, 10, 22)) * 1_000_000n);
  old.close();

  const store = new AlertStore({
    path: file,
    retention: { maxAgeMs: 30 * day },
    clock: () => Date.UTC(2026, 0, 11),
  });
  assert.equal(store.count(), 1);
  store.close();
});

test('100,000 identical alerts become two grouped messages with the exact count; the store holds all', async (t) => {
  const server = await startCaptureServer();
  t.after(() => server.close());
  const store = new AlertStore({ path: path.join(tempDir(t), 'alerts.db') });
  const router = new AlertRouter({
    recorder: store,
    grouping: [{ rules: ['Terminal shell*'], windowMs: 60_000, keyFields: ['container.id'] }],
    outputs: [{ name: 'hook', type: 'webhook', options: { url: server.url } }],
  });
  const alert = sampleAlert({ sequence: 1 });
  for (let index = 0; index < 100_000; index++) router.deliver(alert);
  assert.equal(await router.flush(10_000), true);
  const stats = router.stats();
  await router.close();

  const bodies = server.accepted.map((request) => JSON.parse(request.body));
  assert.equal(bodies.length, 2);
  assert.equal(bodies[0].output_fields['harrier.group.count'], undefined);
  assert.equal(bodies[1].output_fields['harrier.group.count'], 100_000);
  assert.match(
    bodies[1].output,
    /grouped: 100000 alerts, first seen 2024-05-01T12:00:00\.000001000Z/,
  );
  assert.equal(stats.grouped, 99_999);
  assert.equal(stats.summaries, 1);
  assert.equal(store.count({ rule: 'Terminal shell in container' }), 100_000);
  assert.equal(store.count({ container: 'f00dcafe1234', priority: 'Notice' }), 100_000);
  store.close();
});
