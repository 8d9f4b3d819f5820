/**
 * Differential test: every event of every corpus capture, decoded by Harrier, against what
 * sysdig 0.29 prints for it (generated at run time, never committed). Compared: evt.num,
 * evt.rawtime, evt.cpu, thread.tid, evt.dir, evt.type and every parameter in evt.args that
 * can be rendered without process or fd state. Where sysdig 0.29 predates today's libscap,
 * the difference is listed below with its reason, and each listed difference must occur.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { corpusPath } from '../testing/corpus.js';
import type { SyscallEvent } from './event.js';
import { EventDecoder, readCaptureBatches } from './event-decoder.js';
import { eventTypeName, formatParam } from './param-format.js';

const SEPARATOR = '\x1f';
const FIELDS = ['%evt.num', '%evt.rawtime', '%evt.cpu', '%thread.tid', '%evt.dir', '%evt.type'];

/** Parameter types whose sysdig text carries a resolution that needs process or fd state. */
const STATEFUL_TYPES = new Set(['FD', 'PID', 'UID', 'GID', 'FSPATH', 'FSRELPATH']);

interface Difference {
  reason: string;
  applies(event: SyscallEvent, param: string, ours: string, theirs: string): boolean;
}

/** Where sysdig 0.29 differs from today's libscap semantics, and why. */
const KNOWN_DIFFERENCES: Difference[] = [
  {
    reason: 'mmap/mmap2 exit res became PT_ERRNO (decimal) in libs; sysdig 0.29 has PT_UINT64 hex',
    applies: (event, param, ours, theirs) =>
      event.info.name.startsWith('mmap') &&
      param === 'res' &&
      BigInt(ours) === BigInt(`0x${theirs}`),
  },
  {
    reason: 'libsinsp now prints empty byte buffers as NULL; sysdig 0.29 printed nothing',
    applies: (_event, _param, ours, theirs) => ours === 'NULL' && theirs === '',
  },
  {
    reason: 'socket families are ENUMFLAGS today, so every name of an equal value prints',
    applies: (event, param, ours, theirs) =>
      event.info.name === 'socket' && param === 'domain' && ours.startsWith(theirs.slice(0, -1)),
  },
  {
    reason: 'FDLIST type letters come from fd state (state engine); fd numbers and flags match',
    applies: (event, param, ours, theirs) =>
      event.info.params.find((info) => info.name === param)?.type === 'FDLIST' &&
      ours.replace(/(\d+):./g, '$1:') === theirs.replace(/(\d+):./g, '$1:'),
  },
];

/** sysdig 0.29 cannot read section headers with options (pcapng comments); libs today can. */
const SYSDIG_UNREADABLE: Record<string, string> = {
  'curl_google_comments.scap': 'curl_google.scap',
};

/** Event types sysdig numbers but never prints. */
const SYSDIG_HIDDEN = new Set(['procinfo', 'container']);

/** Generic syscall ids whose names libs learnt after sysdig 0.29 (it prints `<unknown>`). */
function isNewSyscallName(event: SyscallEvent, ours: string, theirs: string): boolean {
  return event.info.code <= 1 && theirs === '<unknown>' && ours !== 'syscall';
}

function captures(): string[] {
  const traces = corpusPath('falco/tests-0.34.1/trace_files');
  const libs = corpusPath('falco/scap');
  return [
    ...readdirSync(traces)
      .filter((name) => name.includes('.scap'))
      .map((name) => `${traces}/${name}`),
    ...readdirSync(libs)
      .filter((name) => name.endsWith('.scap'))
      .map((name) => `${libs}/${name}`),
  ];
}

function sysdigLines(path: string): Map<number, string[]> {
  const format = [...FIELDS, '%evt.args'].join(SEPARATOR);
  const output = execFileSync('sysdig', ['-r', path, '-p', format], { maxBuffer: 1 << 28 });
  const lines = new Map<number, string[]>();
  for (const line of output.toString().split('\n')) {
    if (line === '') continue;
    const fields = line.split(SEPARATOR);
    lines.set(Number(fields[0]), fields);
  }
  return lines;
}

/** Split sysdig's evt.args at ` name=` for the names this event's parameters have. */
function splitArgs(event: SyscallEvent, args: string): Map<string, string> {
  const names = event.info.params.map((param) => param.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const values = new Map<string, string>();
  if (names.length === 0) return values;
  const pattern = new RegExp(`(?:^| )(${names.join('|')})=`, 'g');
  const starts = [...args.matchAll(pattern)];
  starts.forEach((match, i) => {
    const from = (match.index ?? 0) + match[0].length;
    const to = i + 1 < starts.length ? (starts[i + 1].index ?? args.length) : args.length;
    values.set(match[1], args.slice(from, to));
  });
  return values;
}

interface Tally {
  compared: number;
  differences: Map<string, number>;
  failures: string[];
}

function compareParams(event: SyscallEvent, args: string, tally: Tally): void {
  // sysdig 0.29 prints no arguments for generic syscall events, in either direction.
  if (event.info.code <= 1) return;
  const theirs = splitArgs(event, args.replace(/ $/, ''));
  event.rawParams.forEach((_, index) => {
    const info = event.info.params[index];
    const formatted = formatParam(event, index, { maxBufferLength: 80 });
    let their = theirs.get(info.name);
    // Parameters today's layouts add (from the enter event, or newer fields) are absent there.
    if (formatted === undefined || their === undefined) return;
    const ours = formatted.resolved ? `${formatted.value}(${formatted.resolved})` : formatted.value;
    if (STATEFUL_TYPES.has(info.type) && formatted.resolved === '')
      their = their.replace(/\(.*\)$/, '');
    tally.compared++;
    if (ours === their) return;
    const known = KNOWN_DIFFERENCES.find((difference) =>
      difference.applies(event, info.name, ours, their),
    );
    if (known !== undefined) {
      tally.differences.set(known.reason, (tally.differences.get(known.reason) ?? 0) + 1);
      return;
    }
    tally.failures.push(`#${event.num} ${event.info.name} ${info.name}: ${ours} != ${their}`);
  });
}

function compareHeader(event: SyscallEvent, line: string[], tally: Tally): void {
  const direction = event.info.direction === 'enter' ? '>' : '<';
  const ours = [
    String(event.num),
    String(event.ts),
    String(event.cpu),
    String(event.tid),
    direction,
  ];
  assert.deepEqual(ours, line.slice(0, 5), `header of event ${event.num}`);
  const type = eventTypeName(event);
  if (type === line[5]) return;
  if (isNewSyscallName(event, type, line[5])) {
    const reason = 'generic syscall ids libs names today print as <unknown> in sysdig 0.29';
    tally.differences.set(reason, (tally.differences.get(reason) ?? 0) + 1);
    return;
  }
  tally.failures.push(`#${event.num} evt.type ${type} != ${line[5]}`);
}

const hasSysdig = spawnSync('sysdig', ['--version']).status === 0;
const seenDifferences = new Map<string, number>();

for (const path of captures()) {
  const name = path.split('/').pop() ?? path;
  test(
    `decodes every event of ${name} as sysdig 0.29 prints it`,
    { skip: !hasSysdig && 'sysdig is not installed' },
    async () => {
      const reference = SYSDIG_UNREADABLE[name];
      if (reference !== undefined) {
        assert.notEqual(spawnSync('sysdig', ['-r', path, '-c', 'topfiles_bytes']).status, 0);
      }
      const lines = sysdigLines(reference === undefined ? path : path.replace(name, reference));
      const tally: Tally = { compared: 0, differences: seenDifferences, failures: [] };
      let printed = 0;
      for await (const items of readCaptureBatches(path, new EventDecoder())) {
        for (const item of items) {
          if ('kind' in item) continue;
          const line = lines.get(item.num);
          if (line === undefined) {
            assert.ok(
              SYSDIG_HIDDEN.has(item.info.name),
              `sysdig has no event ${item.num} (${item.info.name})`,
            );
            continue;
          }
          printed++;
          compareHeader(item, line, tally);
          compareParams(item, line[6] ?? '', tally);
        }
      }
      assert.equal(printed, lines.size, 'every event sysdig prints was decoded');
      assert.deepEqual(tally.failures.slice(0, 20), []);
    },
  );
}

test(
  'every listed sysdig 0.29 difference occurs in the corpus',
  { skip: !hasSysdig && 'sysdig is not installed' },
  () => {
    for (const difference of KNOWN_DIFFERENCES) {
      assert.ok(seenDifferences.has(difference.reason), `never seen: ${difference.reason}`);
    }
  },
);

// ---------------------------------------------------------------------------------------
// Fuzz: truncated and bit-flipped captures end with a positioned ScapFormatError (or read
// cleanly), never another exception or a hang, and every event before the fault is yielded.

/** Events yielded and the error (if any) for one in-memory capture. */
async function readAll(bytes: Uint8Array): Promise<{ offsets: number[]; error?: unknown }> {
  const offsets: number[] = [];
  const decoder = new EventDecoder();
  try {
    // Feed in uneven chunks so blocks straddle chunk boundaries.
    const chunks = [bytes.subarray(0, 1000), bytes.subarray(1000, 50_000), bytes.subarray(50_000)];
    for await (const items of readCaptureBatches(chunks, decoder)) {
      for (const item of items) if (!('kind' in item)) offsets.push(item.num);
    }
  } catch (error) {
    return { offsets, error };
  }
  return { offsets };
}

/** Start offset of every block, and the block type there. */
function blockStarts(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const starts: number[] = [];
  for (let at = 0; at + 8 <= bytes.length; at += view.getUint32(at + 4, true)) starts.push(at);
  return starts;
}

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

async function captureBytes(path: string): Promise<Uint8Array> {
  const { gunzipSync } = await import('node:zlib');
  const { readFileSync } = await import('node:fs');
  const raw = readFileSync(path);
  return raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
}

test('truncating any capture inside any block yields every earlier event, then a positioned error', async () => {
  const { ScapFormatError } = await import('../sources/scap/index.js');
  let cases = 0;
  for (const path of captures()) {
    const bytes = await captureBytes(path);
    const full = await readAll(bytes);
    assert.equal(full.error, undefined);
    const starts = blockStarts(bytes);
    // Every block boundary: cut one byte into the block; every fifth: half a header too,
    // and exactly at the boundary (a valid, shorter capture).
    for (let i = 1; i < starts.length; i++) {
      const clean = i % 5 === 0 ? await readAll(bytes.subarray(0, starts[i])) : undefined;
      assert.equal(clean?.error, undefined, `a cut at block boundary ${starts[i]} is valid`);
      for (const extra of i % 5 === 0 ? [1, 6] : [1]) {
        const cut = await readAll(bytes.subarray(0, starts[i] + extra));
        cases++;
        assert.ok(
          cut.error instanceof ScapFormatError,
          `cut at ${starts[i] + extra}: ${cut.error}`,
        );
        assert.equal(cut.error.offset, starts[i]);
        assert.deepEqual(cut.offsets, full.offsets.slice(0, cut.offsets.length));
        if (clean !== undefined) assert.equal(cut.offsets.length, clean.offsets.length);
      }
    }
  }
  assert.ok(cases > 300, `only ${cases} truncation cases`);
});

test('random byte flips never raise anything but a positioned ScapFormatError', async () => {
  const { ScapFormatError } = await import('../sources/scap/index.js');
  const next = random(20240611);
  let errors = 0;
  for (const path of captures()) {
    const original = await captureBytes(path);
    for (let round = 0; round < 40; round++) {
      const bytes = original.slice();
      const flips = 1 + Math.floor(next() * 8);
      for (let i = 0; i < flips; i++)
        bytes[Math.floor(next() * bytes.length)] ^= 1 << Math.floor(next() * 8);
      const result = await readAll(bytes);
      if (result.error === undefined) continue;
      errors++;
      assert.ok(result.error instanceof ScapFormatError, String(result.error));
      assert.ok(result.error.offset >= 0 && result.error.offset < bytes.length);
    }
  }
  assert.ok(errors > 0, 'some flips must hit a checked field');
});

test('the timestamp is read from the header when asked, exactly, and can be set', () => {
  // An openat exit (code 307) with no parameters, at a time past 2^53 ns.
  const bytes = new Uint8Array(26 + 4);
  const view = new DataView(bytes.buffer);
  const ts = 1_700_000_000_123_456_789n;
  view.setBigUint64(2, ts, true); // the event starts at offset 2 of its chunk
  view.setBigUint64(10, 77n, true);
  view.setUint32(18, 26, true);
  view.setUint16(22, 307, true);
  view.setUint32(24, 0, true);
  const event = new EventDecoder().decodeAt(bytes, view, 2, 28, 0, 0, true)!;
  assert.equal(event.tid, 77);
  assert.equal(event.ts, ts);
  event.ts = 5n;
  assert.equal(event.ts, 5n);
});
