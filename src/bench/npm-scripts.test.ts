import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../testing/corpus.js';

const scripts = (
  JSON.parse(readFileSync(path.join(repositoryRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

/** The `dist/….js` programs a script starts with `node`. */
function startedPrograms(script: string): string[] {
  return [...script.matchAll(/\bnode\s+(dist\/\S+\.js)/g)].map((match) => match[1]);
}

test('every dist program an npm script starts has its TypeScript source', () => {
  const missing = Object.entries(scripts).flatMap(([name, script]) =>
    startedPrograms(script)
      .filter(
        (program) => !existsSync(path.join(repositoryRoot, 'src', program.slice(5, -3) + '.ts')),
      )
      .map((program) => `${name}: ${program}`),
  );
  assert.deepEqual(missing, []);
});

test('npm run fuzz runs both fuzzers, the condition parser and the rule loader', () => {
  assert.deepEqual(startedPrograms(scripts.fuzz), [
    'dist/bench/fuzz-parser.js',
    'dist/bench/fuzz-rules.js',
  ]);
});
