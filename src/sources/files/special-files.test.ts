import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCheckedText, unreadableFileKind, UnreadableFileKindError } from './special-files.js';

function withDirectory(body: (directory: string) => Promise<void> | void) {
  return async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'harrier-special-'));
    try {
      await body(directory);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  };
}

test(
  'a FIFO is refused by name, before anything opens it (which would wait for a writer)',
  withDirectory(async (directory) => {
    const fifo = path.join(directory, 'rules.yaml');
    execFileSync('mkfifo', [fifo]);
    const expected =
      'is a FIFO (named pipe), expected a regular file; write its content to a file and give that file';
    assert.equal(unreadableFileKind(fifo), expected);
    assert.equal(
      unreadableFileKind(fifo, { directory: true, anonymousPipe: true }),
      'is a FIFO (named pipe), expected a regular file or a directory; give it as <(cat FILE) or write it to a file',
    );
    await assert.rejects(readCheckedText(fifo), (error) => {
      assert.ok(error instanceof UnreadableFileKindError);
      assert.equal(error.message, expected);
      return true;
    });
  }),
);

test(
  'a socket and a character device are named as what they are',
  withDirectory(async (directory) => {
    const socket = path.join(directory, 'input.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      assert.equal(unreadableFileKind(socket), 'is a socket, expected a regular file');
    } finally {
      server.close();
    }
    assert.equal(
      unreadableFileKind('/dev/null', { directory: true }),
      'is a character device, expected a regular file or a directory',
    );
  }),
);

test(
  'regular files, allowed directories and paths stat cannot reach are left to the reader',
  withDirectory(async (directory) => {
    const file = path.join(directory, 'rules.yaml');
    writeFileSync(file, '- list: a\n  items: []\n');
    assert.equal(unreadableFileKind(file), undefined);
    assert.equal(await readCheckedText(file), '- list: a\n  items: []\n');
    assert.equal(unreadableFileKind(directory, { directory: true }), undefined);
    assert.equal(unreadableFileKind(directory), 'is a directory');
    assert.equal(unreadableFileKind(path.join(directory, 'missing.yaml')), undefined);
  }),
);

test('an anonymous pipe (process substitution) is taken only where it is allowed', () => {
  const check = (allowed: string) =>
    execFileSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" --input-type=module -e "
          import { unreadableFileKind } from '${import.meta.dirname}/special-files.js';
          console.log(unreadableFileKind(process.argv[1], ${allowed}) ?? 'taken');" <(echo x)`,
      ],
      { encoding: 'utf8' },
    ).trim();
  assert.equal(check('{ anonymousPipe: true }'), 'taken');
  assert.equal(
    check('{}'),
    'is a pipe, expected a regular file; write its content to a file and give that file',
  );
});
