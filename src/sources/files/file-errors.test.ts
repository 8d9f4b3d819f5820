import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeFileError } from './file-errors.js';

async function failureOf(file: string): Promise<unknown> {
  return readFile(file).then(
    () => assert.fail(`${file} was read`),
    (error: unknown) => error,
  );
}

test('a missing file and a directory are said plainly, without code, call or path', async () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'harrier-files-'));
  assert.equal(describeFileError(await failureOf(path.join(directory, 'none'))), 'no such file');
  assert.equal(describeFileError(await failureOf(directory)), 'is a directory');
  assert.equal(
    describeFileError(await failureOf(path.join(directory, 'none', 'deeper'))),
    'no such file',
  );
  assert.equal(describeFileError(new Error('boom')), undefined);
  assert.equal(describeFileError(undefined), undefined);
});
