import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  linkSync,
  mkdirSync,
  symlinkSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repositoryRoot } from '../testing/corpus.js';
import { captureTargetProblem } from './capture-target.js';

function scratch(): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-capture-target-'));
  mkdirSync(path.join(directory, 'rules'));
  for (const name of ['rules/a.yaml', 'own.yaml', 'harrier.yaml', 'old.scap'])
    writeFileSync(path.join(directory, name), 'x');
  return directory;
}

test('-w may not name the configuration, a rule file, or a rule file of a rule directory', () => {
  const directory = scratch();
  const at = (name: string) => path.join(directory, name);
  const rulePaths = [at('rules'), at('own.yaml')];
  assert.equal(
    captureTargetProblem(at('own.yaml'), rulePaths),
    `-w ${at('own.yaml')}: that is the rule file ${at('own.yaml')}; the capture would overwrite it`,
  );
  assert.equal(
    captureTargetProblem(at('rules/a.yaml'), rulePaths),
    `-w ${at('rules/a.yaml')}: that is the rule file ${at('rules/a.yaml')}; the capture would overwrite it`,
  );
  assert.equal(
    captureTargetProblem(at('rules/new.yml'), rulePaths),
    `-w ${at('rules/new.yml')}: a rule file of ${at('rules')}, which the next start or reload would load; give the capture another name or place`,
  );
  // Links of other names into the rule directory: symbolic, hard, and one to a file not there yet.
  symlinkSync(at('rules/a.yaml'), at('soft.scap'));
  linkSync(at('rules/a.yaml'), at('hard.scap'));
  symlinkSync(at('rules/later.yaml'), at('dangling.scap'));
  for (const name of ['soft.scap', 'hard.scap'])
    assert.equal(
      captureTargetProblem(at(name), rulePaths),
      `-w ${at(name)}: that is the rule file ${at('rules/a.yaml')}; the capture would overwrite it`,
    );
  assert.match(
    captureTargetProblem(at('dangling.scap'), rulePaths) ?? '',
    /dangling\.scap: a rule file of .*rules, which the next start or reload would load/,
  );
  assert.equal(captureTargetProblem('', rulePaths), '-w takes a file path, found an empty one');
  // A capture of another name in the rule directory is not loaded.
  assert.equal(captureTargetProblem(at('rules/session.scap'), rulePaths), undefined);
  assert.equal(
    captureTargetProblem(at('harrier.yaml'), rulePaths, at('harrier.yaml')),
    `-w ${at('harrier.yaml')}: that is the configuration file; the capture would overwrite it`,
  );
  // The same file under another name (a hard link) is still that file.
  linkSync(at('own.yaml'), at('alias.scap'));
  assert.match(captureTargetProblem(at('alias.scap'), rulePaths) ?? '', /is the rule file/);
  // Anything else is replaced, as tcpdump and sysdig replace it; a new file is no problem.
  assert.equal(captureTargetProblem(at('old.scap'), rulePaths, at('harrier.yaml')), undefined);
  assert.equal(captureTargetProblem(at('new.scap'), rulePaths), undefined);
  assert.equal(
    captureTargetProblem(at('rules'), rulePaths),
    `-w ${at('rules')}: that is a directory; give a file path`,
  );
  assert.equal(
    captureTargetProblem(at('gone/new.scap'), rulePaths),
    `-w ${at('gone/new.scap')}: directory ${at('gone')} does not exist`,
  );
  assert.equal(
    captureTargetProblem(at('old.scap/x.scap'), rulePaths),
    `-w ${at('old.scap/x.scap')}: ${at('old.scap')} is not a directory`,
  );
});

test('harrier record -w over its own rule file is a usage error and leaves the file alone', () => {
  const directory = scratch();
  const rules = path.join(directory, 'own.yaml');
  const result = spawnSync(
    process.execPath,
    [path.join(repositoryRoot, 'bin/harrier.js'), 'record', '-w', rules, '-r', rules],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 2);
  assert.equal(
    result.stderr,
    `harrier record: -w ${rules}: that is the rule file ${rules}; the capture would overwrite it\n`,
  );
  assert.equal(readFileSync(rules, 'utf8'), 'x');
});

test('harrier run -w over its configuration is a usage error, before anything starts', () => {
  const directory = scratch();
  const config = path.join(directory, 'harrier.yaml');
  writeFileSync(config, 'priority: notice\n');
  const result = spawnSync(
    process.execPath,
    [path.join(repositoryRoot, 'bin/harrier.js'), 'run', '-c', config, '-w', config, '--no-store'],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 2);
  assert.equal(
    result.stderr,
    `harrier run: -w ${config}: that is the configuration file; the capture would overwrite it\n`,
  );
  assert.equal(readFileSync(config, 'utf8'), 'priority: notice\n');
});

test('-w naming a FIFO is refused before anything opens it (the open would wait for a reader)', () => {
  const directory = scratch();
  const fifo = path.join(directory, 'pipe.scap');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  assert.equal(
    captureTargetProblem(fifo, []),
    `-w ${fifo}: that is a FIFO (named pipe), which would hold the start until something reads it; give a regular file`,
  );
  const result = spawnSync(
    process.execPath,
    [path.join(repositoryRoot, 'bin/harrier.js'), 'record', '-w', fifo],
    { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' },
  );
  assert.equal(result.status, 2, result.stderr);
});
