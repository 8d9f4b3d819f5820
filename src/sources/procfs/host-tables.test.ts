import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGroups, parsePasswd, readBootTimeNs, readMachine } from './host-tables.js';

test('parses passwd and group lines, skipping comments and short lines', () => {
  const users = parsePasswd(
    'root:x:0:0:root:/root:/bin/bash\n# note\nbroken:x\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n',
  );
  assert.deepEqual(users, [
    { kind: 'user', offset: 0, uid: 0, gid: 0, name: 'root', homedir: '/root', shell: '/bin/bash' },
    {
      kind: 'user',
      offset: 0,
      uid: 65534,
      gid: 65534,
      name: 'nobody',
      homedir: '/nonexistent',
      shell: '/usr/sbin/nologin',
    },
  ]);
  assert.deepEqual(parseGroups('root:x:0:\nadm:x:4:syslog\n'), [
    { kind: 'group', offset: 0, gid: 0, name: 'root' },
    { kind: 'group', offset: 0, gid: 4, name: 'adm' },
  ]);
});

test('the machine record carries the boot time and HARRIER_HOSTNAME', () => {
  const boot = readBootTimeNs();
  assert.ok(boot > 1_500_000_000n * 1_000_000_000n && boot < BigInt(Date.now()) * 1_000_000n);
  const previous = process.env.HARRIER_HOSTNAME;
  process.env.HARRIER_HOSTNAME = 'machine-under-test';
  try {
    const machine = readMachine(boot);
    assert.equal(machine.hostname, 'machine-under-test');
    assert.equal(machine.bootTimestamp, boot);
    assert.ok(machine.cpuCount > 0);
  } finally {
    if (previous === undefined) delete process.env.HARRIER_HOSTNAME;
    else process.env.HARRIER_HOSTNAME = previous;
  }
});
