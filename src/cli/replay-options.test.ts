/**
 * `harrier replay --min-priority` and the progress line, through the real CLI; the progress
 * line only on a terminal, which `script(1)` provides here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { progressText, ProgressLine } from './progress.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');
const CAT_WRITE = corpusPath('falco/tests-0.34.1/trace_files/cat_write.scap');

function replay(args: string[]) {
  const result = spawnSync(process.execPath, [HARRIER, 'replay', '--no-store', ...args], {
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Two rules on cat's opens: a Warning for /etc, a Critical for the rest. */
function rulesFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'harrier-replay-')), 'rules.yaml');
  const rule = (name: string, priority: string, test: string) =>
    `- rule: ${name}\n  desc: d\n  condition: evt.type=open and proc.name=cat and ${test}\n` +
    `  output: ${name} %fd.name\n  priority: ${priority}\n`;
  writeFileSync(
    file,
    rule('cat opens in etc', 'WARNING', 'fd.name startswith /etc/') +
      rule('cat opens elsewhere', 'CRITICAL', 'fd.name startswith /'),
  );
  return file;
}

test('replay --min-priority loads only the rules at least that severe', () => {
  const rules = rulesFile();
  const all = replay(['-r', rules, CAT_WRITE]);
  assert.equal(all.status, 0);
  const lines = all.stdout.trimEnd().split('\n');
  const warnings = lines.filter((line) => line.includes(' Warning cat opens in etc '));
  const criticals = lines.filter((line) => line.includes(' Critical cat opens elsewhere '));
  assert.ok(warnings.length > 0 && criticals.length > 0, all.stdout);
  assert.equal(warnings.length + criticals.length, lines.length);

  const severe = replay(['--min-priority', 'critical', '-r', rules, CAT_WRITE]);
  assert.equal(severe.status, 0);
  const severeLines = severe.stdout.trimEnd().split('\n');
  // Without the Warning rule, its /etc opens reach the Critical rule.
  assert.equal(severeLines.length, lines.length);
  assert.ok(severeLines.every((line) => line.includes(' Critical cat opens elsewhere ')));
});

test('replay --min-priority with an unknown priority names the accepted ones', () => {
  const result = replay(['--min-priority', 'bogus', CAT_WRITE]);
  assert.equal(result.status, 2);
  assert.equal(result.stdout, '');
  assert.equal(
    result.stderr,
    "harrier replay: --min-priority takes one of Emergency, Alert, Critical, Error, Warning, Notice, Informational, Debug, found 'bogus'\n",
  );
});

test('the progress line shows the share of input read, the event rate and the alerts', () => {
  const reading = { bytesRead: 250_000_000, bytesTotal: 1_000_000_000, events: 3_000_000, alerts: 1 };
  assert.equal(
    progressText('replay', reading, 2),
    'replay: 25% of 1.0 GB, 3,000,000 events (1,500,000/s), 1 alert',
  );
  assert.equal(
    progressText('replay', { bytesRead: 0, bytesTotal: 0, events: 0, alerts: 2 }, 0),
    'replay: 0 events (0/s), 2 alerts',
  );
}); // prettier-ignore

test('the progress line is drawn only on a terminal and erased when stopped', async () => {
  const reading = () => ({ bytesRead: 1, bytesTotal: 2, events: 5, alerts: 0 });
  const written: string[] = [];
  const pipe = new ProgressLine({ isTTY: false, write: (text) => written.push(text) }, reading, 'x');
  const terminal = new ProgressLine(
    { isTTY: true, columns: 200, write: (text) => written.push(`tty:${text}`) },
    reading,
    'x',
  );
  await new Promise((resolve) => setTimeout(resolve, 600));
  pipe.stop();
  terminal.stop();
  assert.ok(written.length >= 2, `${written.length} writes`);
  assert.ok(written.every((text) => text.startsWith('tty:')), 'nothing drawn on a pipe');
  // eslint-disable-next-line no-control-regex -- the line starts with the erase sequence
  assert.match(written[0], /^tty:\r\x1b\[Kx: 50% of 2 B, 5 events \(\d+\/s\), 0 alerts$/);
  assert.equal(written[written.length - 1], 'tty:\r\x1b[K');
}); // prettier-ignore

test('replay on a terminal draws the progress line on stderr, never on stdout', () => {
  // script(1) gives the replay a terminal; a large input keeps it running past a redraw.
  const rules = rulesFile();
  // Copies, not one name repeated: a file named twice is replayed once.
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-replay-'));
  const inputs = Array.from({ length: 400 }, (_, index) => {
    const copy = path.join(directory, `cat_write-${index}.scap`);
    copyFileSync(CAT_WRITE, copy);
    return copy;
  });
  const command = [process.execPath, HARRIER, 'replay', '--no-store', '-r', rules, ...inputs]
    .map((word) => `'${word}'`)
    .join(' ');
  const result = spawnSync('script', ['-qec', `${command} 2>&1 >/dev/null`, '/dev/null'], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  // eslint-disable-next-line no-control-regex -- each redraw starts with the erase sequence
  assert.match(result.stdout, /\r\x1b\[Kreplay: \d+% of [\d.]+ MB, [\d,]+ events/);
  const withoutProgress = spawnSync(
    'script',
    ['-qec', `${command} --no-progress 2>&1 >/dev/null`, '/dev/null'],
    { encoding: 'utf8' },
  );
  assert.equal(withoutProgress.status, 0);
  assert.doesNotMatch(withoutProgress.stdout, /replay: \d+%/);
});
