import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventTypesOf } from './event-types.js';
import { fdFieldWarning } from './fd-field-check.js';
import { parseCondition } from './parser.js';

/** The warning for a condition, judged on the event types it names itself. */
function warningFor(condition: string) {
  const parsed = parseCondition(condition);
  assert.ok(parsed.ok, condition);
  return fdFieldWarning(parsed.ast, eventTypesOf(parsed.ast));
}

test('warns at the first fd field when no event type has an fd', () => {
  const condition = 'evt.type in (rename, renameat2) and proc.name = x and fd.name startswith /etc';
  const warning = warningFor(condition);
  assert.equal(warning?.position.index, condition.indexOf('fd.name'));
  assert.equal(
    warning?.message,
    "condition reads 'fd.name' but none of the rule's event types has an fd for the file it acts on: rename, renameat2 events carry no fd, so every check on an fd.* field is false there (and its negation true); read paths from evt.arg.* or fs.path.* fields",
  );
});

test('calls with only a directory fd are named apart from those with none', () => {
  const warning = warningFor(
    'evt.type in (unlinkat, renameat2) and (fd.name startswith /etc or fd.directory = /tmp)',
  );
  assert.match(warning?.message ?? '', /^condition reads 'fd.name', 'fd.directory' but/);
  assert.match(warning?.message ?? '', /renameat2 events carry no fd, so/);
  assert.match(
    warning?.message ?? '',
    /; unlinkat events carry only the directory fd a relative path starts from \(none for AT_FDCWD\);/,
  );
});

test('every call whose only fd is a dirfd counts as a directory fd', () => {
  const names = ['unlinkat', 'mkdirat', 'fchmodat', 'fchownat', 'mknodat', 'newfstatat'];
  for (const name of [...names, 'symlinkat']) {
    assert.match(warningFor(`evt.type = ${name} and fd.name = /x`)?.message ?? '', /directory fd/);
  }
});

test('a negated fd check on fd-less events is flagged too', () => {
  assert.ok(warningFor('evt.type = execve and not fd.typechar = f') !== undefined);
});

test('syscalls without an event of their own arrive as generic events, without an fd', () => {
  assert.match(warningFor('evt.type = mlock2 and fd.num > 2')?.message ?? '', /mlock2 events/);
});

test('says nothing when one event type of the rule has an fd', () => {
  assert.equal(
    warningFor('evt.type in (unlinkat, renameat2, openat) and fd.name = /etc'),
    undefined,
  );
  assert.equal(warningFor('evt.type in (fchmod, fchmodat) and fd.name = /etc'), undefined);
  assert.equal(
    warningFor(
      '(evt.type = rename and evt.arg.newpath = /x) or (evt.type = open and fd.name = /x)',
    ),
    undefined,
  );
});

test('says nothing without an evt.type restriction, fd fields, or with unknown names', () => {
  assert.equal(warningFor('fd.name startswith /etc'), undefined);
  assert.equal(warningFor('not evt.type = open and fd.name startswith /etc'), undefined);
  assert.equal(warningFor('evt.type = unlinkat and evt.arg.name startswith /etc'), undefined);
  assert.equal(warningFor('evt.type = unlinkat and fdlist.names contains x'), undefined);
  assert.equal(warningFor('evt.type = nosuchcall and fd.name = x'), undefined);
  assert.equal(warningFor('evt.type = open and evt.type = unlinkat and fd.name = x'), undefined);
});

test('finds fd fields on the right-hand side and inside transformers', () => {
  assert.ok(warningFor('evt.type = execve and proc.exepath = val(fd.name)') !== undefined);
  assert.ok(warningFor('evt.type = execve and tolower(fd.name) = x') !== undefined);
});

test('long lists of event types are cut', () => {
  const types = 'brk, chdir, chmod, kill, link, mkdir, mount, rmdir, setuid';
  const message = warningFor(`evt.type in (${types}) and fd.name = x`)?.message ?? '';
  assert.match(message, /brk, chdir, chmod, kill, link, mkdir and 3 more events carry no fd/);
});
