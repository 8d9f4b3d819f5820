/**
 * The README's option lines against each command's `--help`: every option a command has is
 * listed for it, so the documentation cannot fall behind a new flag unnoticed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../testing/corpus.js';

const HARRIER = path.join(repositoryRoot, 'bin/harrier.js');
const README = readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8');

/** The options `harrier COMMAND --help` lists (`--help` left out), each as its forms. */
function helpOptions(command: string[]): string[][] {
  const help = spawnSync(process.execPath, [HARRIER, ...command, '--help'], { encoding: 'utf8' });
  const options = [...help.stdout.matchAll(/^ {2}(?:(-\w), )?(--[\w-]+)/gm)];
  return options
    .map((m) => (m[1] === undefined ? [m[2]!] : [m[1], m[2]!]))
    .filter((forms) => !forms.includes('--help'));
}

/** The options the README's line for `name` lists. */
function readmeOptions(name: string): string[] {
  const pattern = new RegExp(`\`${name}\`: \`([^\`]*)\``);
  const line = pattern.exec(README)?.[1];
  assert.ok(line !== undefined, `no README option line for ${name}`);
  return [...line.matchAll(/(?<![\w-])--?[\w-]+/g)].map((m) => m[0]);
}

for (const command of [['run'], ['record'], ['replay'], ['events'], ['serve'], ['alerts']]) {
  test(`the README lists every option of harrier ${command.join(' ')}`, () => {
    const listed = new Set(readmeOptions(command.join(' ')));
    const options = helpOptions(command);
    assert.ok(options.length > 0);
    const missing = options.filter((forms) => !forms.some((form) => listed.has(form)));
    assert.deepEqual(missing, []);
  });
}
