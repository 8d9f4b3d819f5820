import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ipv4FromHex, ipv6FromHex, readSocketTables } from './socket-tables.js';
import { readProcessFds } from './proc-fds.js';

test('reads kernel-order hex addresses as dotted IPv4 and IPv6 groups', () => {
  assert.equal(ipv4FromHex('0100007F'), '127.0.0.1');
  assert.equal(ipv4FromHex('0202A8C0'), '192.168.2.2');
  assert.equal(ipv6FromHex('00000000000000000000000001000000'), '0:0:0:0:0:0:0:1');
  assert.equal(ipv6FromHex('0000000000000000FFFF00000100007F'), '0:0:0:0:0:ffff:7f00:1');
});

test('splits tcp, udp, unix, netlink and packet tables into entries by inode', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'harrier-net-'));
  const header = 'sl local rem st tx rx tr tm retr uid timeout inode\n';
  await writeFile(
    path.join(directory, 'tcp'),
    `${header}   0: 0100007F:1F90 00000000:0000 0A 0:0 00:0 0 0 0 101 1\n   1: 0100007F:D431 0100007F:1F90 01 0:0 00:0 0 0 0 102 1\n`,
  );
  await writeFile(
    path.join(directory, 'udp6'),
    `${header}   0: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 0:0 00:0 0 0 0 103 1\n`,
  );
  await writeFile(
    path.join(directory, 'unix'),
    'Num RefCount Protocol Flags Type St Inode Path\n000000000000abcd: 00000002 00000000 00010000 0001 01 104 /run/test.sock\n0000000000000000: 00000003 00000000 00000000 0001 03 105\n',
  );
  await writeFile(
    path.join(directory, 'netlink'),
    'sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode\n0000000000000000: 0 1 00000000 0 0 0 2 0 106\n',
  );
  await writeFile(
    path.join(directory, 'packet'),
    'sk RefCnt Type Proto Iface R Rmem User Inode\n0000000000000000 3 3 0003 0 1 0 0 107\n',
  );
  const sockets = readSocketTables(directory);
  assert.deepEqual(sockets.get(101n), {
    type: 'ipv4_server',
    name: '',
    sourceAddress: '127.0.0.1',
    sourcePort: 8080,
    l4proto: 1,
  });
  assert.deepEqual(sockets.get(102n), {
    type: 'ipv4', name: '', sourceAddress: '127.0.0.1', sourcePort: 54321,
    destinationAddress: '127.0.0.1', destinationPort: 8080, l4proto: 1,
  }); // prettier-ignore
  assert.deepEqual(sockets.get(103n), {
    type: 'ipv6_server',
    name: '',
    sourceAddress: '0:0:0:0:0:0:0:1',
    sourcePort: 53,
    l4proto: 2,
  });
  assert.deepEqual(sockets.get(104n), {
    type: 'unix',
    name: '/run/test.sock',
    unixSource: 0xabcdn,
    unixDestination: 0n,
  });
  assert.equal(sockets.get(105n)?.name, '');
  assert.equal(sockets.get(106n)?.type, 'netlink');
  assert.equal(sockets.get(107n)?.type, 'unknown');
});

test("matches this process's loopback sockets against /proc/net to give their tuples", async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const client = connect(port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  try {
    const fds = readProcessFds(
      `/proc/${process.pid}`,
      process.pid,
      readSocketTables(`/proc/${process.pid}/net`),
    );
    const listening = fds.find((fd) => fd.type === 'ipv4_server' && fd.sourcePort === port);
    assert.equal(listening?.sourceAddress, '127.0.0.1');
    const connected = fds.filter(
      (fd) => fd.type === 'ipv4' && (fd.sourcePort === port || fd.destinationPort === port),
    );
    // Both ends live in this process: the client's and the accepted one.
    assert.ok(
      connected.some((fd) => fd.destinationPort === port && fd.sourcePort === client.localPort),
    );
    assert.ok(connected.every((fd) => fd.l4proto === 1 && fd.ino > 0n));
  } finally {
    client.destroy();
    server.close();
  }
});
