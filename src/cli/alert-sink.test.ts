import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { openStore, StoreOpenError } from './alert-sink.js';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';

/** A logger keeping its lines as objects. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

test('a default store that cannot be opened is left out with a warning naming why', () => {
  const { logger, lines } = capturingLogger();
  const settings = { path: '/proc/nope/alerts.db', retention: {}, explicit: false };
  assert.equal(openStore(settings, logger), undefined);
  assert.deepEqual(
    lines.map((line) => [line.level, line.msg, (line.err as { message: string }).message]),
    [
      [
        40,
        'default alert store cannot be opened; alerts are not stored (give --store FILE or --no-store)',
        'directory /proc/nope does not exist',
      ],
    ],
  );
});

test('a store named by a flag that cannot be opened stops the command', () => {
  const { logger } = capturingLogger();
  const settings = { path: '/proc/nope/alerts.db', retention: {}, explicit: true };
  assert.throws(() => openStore(settings, logger), StoreOpenError);
});

/** Why a command cannot be run as `nobody` here, if it cannot. */
function cannotRunAsNobody(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to switch to the nobody user';
  const probe = spawnSync('runuser', ['-u', 'nobody', '--', 'test', '-r', repositoryRoot]);
  if (probe.error !== undefined) return 'runuser is not installed';
  return probe.status === 0 ? undefined : 'the repository is not readable by nobody';
}

test(
  'replay as a user who cannot write /var/lib/harrier warns that the default store is not used (needs root)',
  { skip: cannotRunAsNobody() },
  () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'harrier-nobody-'));
    chmodSync(directory, 0o755);
    const config = path.join(directory, 'harrier.yaml');
    // A store section without a path: the default store, which nobody cannot write.
    writeFileSync(config, 'priority: debug\nstore:\n  enabled: true\n');
    chmodSync(config, 0o644);
    const capture = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');
    const harrier = path.join(repositoryRoot, 'bin/harrier.js');
    const args = [process.execPath, harrier, 'replay', '--no-progress', '-c', config, capture];
    const result = spawnSync('runuser', ['-u', 'nobody', '--', ...args], {
      cwd: directory,
      encoding: 'utf8',
    });
    assert.match(
      result.stderr,
      /WARN cli\.replay: default alert store cannot be opened; alerts are not stored .*err="cannot (write|create) \/var\/lib\/harrier: permission denied"/,
    );
    assert.equal(result.status, 0);
  },
);
