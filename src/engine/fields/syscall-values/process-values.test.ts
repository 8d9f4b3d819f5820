import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SyscallEvent } from '../../../decode/event.js';
import { syscallEvents } from '../../../decode/pipeline.js';
import { corpusPath } from '../../../testing/corpus.js';
import { syscallFieldValues } from './index.js';

async function eventNumber(path: string, num: number): Promise<SyscallEvent> {
  for await (const event of syscallEvents(corpusPath(path))) if (event.num === num) return event;
  throw new Error(`no event ${num}`);
}

const value = (name: string, event: SyscallEvent, argument?: string) =>
  syscallFieldValues[name].extract?.(event, argument);

test('proc.aname without index offers every ancestor as a candidate, with one it names one', async () => {
  // cat_write.scap #131: cat, run from bash under emacs.
  const event = await eventNumber('falco/tests-0.34.1/trace_files/cat_write.scap', 131);
  const ancestors = syscallFieldValues['proc.aname'].candidates?.(event, undefined);
  assert.deepEqual((ancestors as string[]).slice(0, 3), ['bash', 'emacs', 'bash']);
  assert.equal(value('proc.aname', event, '1'), 'bash');
  assert.equal(value('proc.aname', event, '2'), 'emacs');
  assert.equal(value('proc.aname', event, '0'), 'cat');
  assert.equal(value('proc.aname', event, '40'), undefined);
  assert.equal(value('proc.pname', event), 'bash');
});

test('fd.ip offers both ends of a socket; non-fd events have no fd fields', async () => {
  // connect_localhost.scap #195: the connect exit to 127.0.0.1:5000... read the tuple back.
  for await (const event of syscallEvents(
    corpusPath('falco/tests-0.34.1/trace_files/connect_localhost.scap'),
  )) {
    if (
      event.info.name !== 'connect' ||
      event.info.direction !== 'exit' ||
      event.fd?.kind !== 'ipv4'
    )
      continue;
    const ends = syscallFieldValues['fd.ip'].candidates?.(event, undefined) as string[];
    assert.deepEqual(ends, [value('fd.cip', event), value('fd.sip', event)]);
    assert.equal(value('fd.l4proto', event), 'tcp');
    assert.equal(value('fd.sockfamily', event), 'ip');
    return;
  }
  assert.fail('no IPv4 connect exit');
});

test('user and group names come from the capture user list; container.id is host', async () => {
  const event = await eventNumber('falco/scap/curl_google.scap', 211);
  assert.equal(typeof value('user.uid', event), 'number');
  assert.notEqual(value('user.name', event), undefined);
  assert.equal(value('container.id', event), 'host');
  assert.equal(value('thread.cap_effective', event), '');
});

test('proc.nthreads and proc.nchilds count the live threads of the process, as libs counts them', async () => {
  // curl_google.scap: curl (pid 17497) runs a resolver thread, 17498, which exits at #1246.
  const path = 'falco/scap/curl_google.scap';
  const counts = async (num: number) => {
    const event = await eventNumber(path, num);
    return [event.tid, value('proc.nthreads', event), value('proc.nchilds', event)];
  };
  assert.deepEqual(await counts(1018), [17497, 2, 1]);
  assert.deepEqual(await counts(1051), [17498, 2, 1]);
  // At its own exit the thread is dead already: libsinsp has parsed the exit before rules run.
  assert.deepEqual(await counts(1246), [17498, 1, 0]);
  assert.deepEqual(await counts(1300), [17497, 1, 0]);
});

test('evt.reltime counts from the first event that is not a meta event, as libsinsp 0.25 does', async () => {
  // curl_google.scap opens with 210 procinfo events (meta events) at 1534527342.999999999;
  // execve #211 at 1534527348.514632619 is the first that counts.
  const path = 'falco/scap/curl_google.scap';
  const first = await eventNumber(path, 211);
  assert.equal(value('evt.reltime', first), 0n);
  const later = await eventNumber(path, 212);
  assert.equal(value('evt.reltime', later), 15_932n);
  const last = await eventNumber(path, 1431);
  const since = last.ts - first.ts;
  assert.equal(value('evt.reltime', last), since);
  assert.equal(value('evt.reltime.s', last), since / 1_000_000_000n);
  assert.equal(value('evt.reltime.ns', last), since % 1_000_000_000n);
});
