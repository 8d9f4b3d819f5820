import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { corpusPath, repositoryRoot } from '../testing/corpus.js';
import { loadRuleFilesFromDisk, type RuleSet } from '../detect/index.js';
import { replay } from './replay.js';
import { replayInputs, type ReplayInput } from './replay-inputs.js';
import { MAX_ZIP_MEMBER_BYTES } from '../sources/files/index.js';

const traces = corpusPath('falco/tests-0.34.1/trace_files');
const catWrite = path.join(traces, 'cat_write.scap');
const audit = path.join(traces, 'k8s_audit/create_deployment.json');
const workDirectory = mkdtempSync(path.join(tmpdir(), 'harrier-replay-inputs-'));
after(() => rmSync(workDirectory, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(workDirectory, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

async function rules(): Promise<RuleSet> {
  const loaded = await loadRuleFilesFromDisk([
    corpusPath('falco/tests-0.34.1/rules/single_rule_with_tags.yaml'),
    corpusPath('falco/rules/k8s_audit_rules.yaml'),
  ]);
  assert.ok(loaded.ruleSet);
  return loaded.ruleSet;
}

async function inputsOf(...paths: string[]): Promise<ReplayInput[]> {
  const found: ReplayInput[] = [];
  for await (const input of replayInputs(paths)) found.push(input);
  return found;
}

/** A name without its directory: `x.zip:inner/a.bin` for a zip member. */
function shortName(name: string): string {
  const [file, member] = name.split(':');
  return member === undefined ? path.basename(file) : `${path.basename(file)}:${member}`;
}

/** Each input as `kind name` (or the failure's place and reason), for comparisons. */
function describe(inputs: ReplayInput[]): string[] {
  return inputs.map((input) => {
    if (input.kind === 'failure') {
      const { origin, reason } = input.failure;
      return `failure ${shortName(origin.file ?? '')}:${origin.line ?? ''}: ${reason}`;
    }
    if (input.kind === 'skipped') return `skipped ${shortName(input.name)}`;
    if (input.kind === 'duplicate') return `duplicate ${input.name} of ${input.first}`;
    return `${input.kind} ${shortName(input.source.name)}`;
  });
}

test('a capture is known by its content, whatever its name: gzip or plain, any extension', async () => {
  const gzipped = readFileSync(catWrite);
  const plain = gunzipSync(gzipped);
  const files = [
    write('names/rawcap.bin', plain),
    write('names/upper.SCAP', gzipped),
    write('names/x.pcap.gz', gzipped),
    write('names/noext', plain),
  ];
  assert.deepEqual(describe(await inputsOf(...files)), [
    'capture rawcap.bin',
    'capture upper.SCAP',
    'capture x.pcap.gz',
    'capture noext',
  ]);
  const result = await replay(files, await rules(), () => {});
  assert.deepEqual(
    result.captures.map(({ events, alerts }) => [events, alerts]),
    files.map(() => [345, 8]),
  );
  assert.deepEqual(result.failures, []);
});

test("a directory's captures are replayed beside its JSON logs", async () => {
  const result = await replay([traces], await rules(), () => {});
  assert.deepEqual(
    result.captures.map(({ path: file }) => path.basename(file)),
    ['cat_write.scap', 'connect_localhost.scap', 'empty.scap', 'open-multiple-files.scap',
      'ping_sendto.scap', 'syscall.scap'],
  ); // prettier-ignore
  assert.equal(result.captures[0].alerts, 8);
  assert.equal(result.detection.stats.k8s_audit.received, 52);
  assert.equal(result.detection.stats.aws_cloudtrail.received, 2);
  assert.deepEqual(result.failures, []);
  assert.deepEqual(result.skipped, []);
});

test('files of no known kind in a directory are skipped by name; a directory without inputs is a failure', async () => {
  const directory = path.join(workDirectory, 'mixed');
  write('mixed/a/notes.txt', 'hello\n');
  write('mixed/capture.bin', readFileSync(catWrite));
  write('mixed/z.yaml', 'a: 1\n');
  write('only-unknown/readme.md', '# nothing here\n');
  mkdirSync(path.join(workDirectory, 'nothing'));
  assert.deepEqual(describe(await inputsOf(directory)), [
    'skipped notes.txt',
    'capture capture.bin',
    'skipped z.yaml',
  ]);
  const result = await replay(
    [directory, path.join(workDirectory, 'only-unknown'), path.join(workDirectory, 'nothing')],
    await rules(),
    () => {},
  );
  assert.deepEqual(result.skipped, [
    { container: directory, count: 2, names: [path.join('a', 'notes.txt'), 'z.yaml'] },
    { container: path.join(workDirectory, 'only-unknown'), count: 1, names: ['readme.md'] },
  ]);
  assert.deepEqual(
    result.failures.map(({ origin, reason }) => `${path.basename(origin.file ?? '')}: ${reason}`),
    ['only-unknown: no input files in the directory', 'nothing: no input files in the directory'],
  );
  assert.equal(result.captures[0].alerts, 8);
});

test('a named file of no known kind is a failure that names all three kinds; empty files fail', async () => {
  const notes = write('named/notes.txt', '\n  random text\n');
  const binary = write('named/blob.bin', new Uint8Array([0, 1, 2, 3, 0xff, 0xfe]));
  const empty = write('named/empty.json', '');
  const blank = write('named/blank.log', '  \n\n');
  const kinds = 'expected a syscall capture, a Kubernetes audit log or a CloudTrail file';
  assert.deepEqual(describe(await inputsOf(notes, binary, empty, blank)), [
    `failure notes.txt:2: format not recognised: ${kinds} (JSON), found text that is not JSON: 'random text'`,
    `failure blob.bin:: ${kinds}, found binary data`,
    'failure empty.json:: empty file: no events',
    'failure blank.log:: empty file: no events',
  ]);
  const found = await inputsOf(notes);
  assert.equal(found[0].kind === 'failure' && found[0].failure.origin.column, 3);
});

test('an auditd log is named as a format not recognised, quoting its start, not as broken JSON', async () => {
  const auditd = corpusPath('auditd/record-execve-long.txt');
  const kinds = 'expected a syscall capture, a Kubernetes audit log or a CloudTrail file';
  assert.deepEqual(describe(await inputsOf(auditd)), [
    `failure record-execve-long.txt:1: format not recognised: ${kinds} (JSON), found text that is not JSON: 'type=SYSCALL msg=audit(1615150974.493:21'...`,
  ]);
});

test('a gzipped auditd log is named by its decompressed text, as the plain log is', async () => {
  const plain = corpusPath('auditd/record-execve-long.txt');
  const gzipped = write('named/audit.log.gz', gzipSync(readFileSync(plain)));
  const kinds = 'expected a syscall capture, a Kubernetes audit log or a CloudTrail file';
  assert.deepEqual(describe(await inputsOf(gzipped)), [
    `failure audit.log.gz:1: format not recognised: ${kinds} (JSON), found text that is not JSON: 'type=SYSCALL msg=audit(1615150974.493:21'...`,
  ]);
});

test('text whose first 4096 bytes end inside a character is still text, plain or gzipped', async () => {
  // 'a' then two-byte characters: the 4096th byte is the first half of one of them.
  const content = `a${'é'.repeat(3000)}\n`;
  const plain = write('named/accents.txt', content);
  const gzipped = write('named/accents.txt.gz', gzipSync(content));
  const quoted = `a${'é'.repeat(39)}`;
  const kinds = 'expected a syscall capture, a Kubernetes audit log or a CloudTrail file';
  assert.deepEqual(describe(await inputsOf(plain, gzipped)), [
    `failure accents.txt:1: format not recognised: ${kinds} (JSON), found text that is not JSON: '${quoted}'...`,
    `failure accents.txt.gz:1: format not recognised: ${kinds} (JSON), found text that is not JSON: '${quoted}'...`,
  ]);
});

test('a zip archive is read by content: its captures from memory, its logs, its unknown members named', async () => {
  const archive = write(
    'archives/mixed.zip',
    zipSync({
      'inner/rawcap.bin': gunzipSync(readFileSync(catWrite)),
      'inner/cap.gz': readFileSync(catWrite),
      'audit.log': readFileSync(audit),
      README: new TextEncoder().encode('about this archive\n'),
      'empty/': new Uint8Array(0),
    }),
  );
  const renamed = write('archives/export.bin', readFileSync(archive));
  assert.deepEqual(describe(await inputsOf(archive)), [
    'capture mixed.zip:inner/rawcap.bin',
    'capture mixed.zip:inner/cap.gz',
    'log mixed.zip:audit.log',
    'skipped mixed.zip:README',
  ]);
  assert.equal(describe(await inputsOf(renamed)).length, 4);
  const result = await replay([archive], await rules(), () => {});
  assert.deepEqual(
    result.captures.map(({ path: name, events, alerts }) => [name, events, alerts]),
    [
      [`${archive}:inner/rawcap.bin`, 345, 8],
      [`${archive}:inner/cap.gz`, 345, 8],
    ],
  );
  assert.equal(result.detection.stats.k8s_audit.processed, 1);
  assert.deepEqual(result.skipped, [{ container: archive, count: 1, names: ['README'] }]);
});

/** A zip whose central directory says its one member expands to `size` bytes. */
function zipDeclaring(size: number): Uint8Array {
  const archive = zipSync({ 'huge.json': new TextEncoder().encode('{"kind":"Event"}\n') });
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  for (let at = archive.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) !== 0x02014b50) continue;
    view.setUint32(at + 24, size, true); // the central directory's uncompressed size
    return archive;
  }
  throw new Error('no central directory entry');
}

test('a zip member expanding past the limit is named with its size and the limit, and not read', async () => {
  const size = MAX_ZIP_MEMBER_BYTES + 1;
  const archive = write('archives/huge.zip', zipDeclaring(size));
  const good = write('archives/good.zip', zipDeclaring(17));
  assert.deepEqual(describe(await inputsOf(archive, good)), [
    `failure huge.zip:huge.json:: not read: expands to ${size} bytes, over the 256 MiB limit for a zip member`,
    'log good.zip:huge.json',
  ]);
});

test('a broken zip archive and a gzip-compressed log are told apart from their bytes', async () => {
  const broken = write('archives/broken.zip', Buffer.from('PK\x03\x04 then nothing useful'));
  const log = write('archives/audit.bin', gzipSync(readFileSync(audit)));
  const described = describe(await inputsOf(broken, log));
  assert.match(described[0], /^failure broken\.zip:: not a readable zip archive: /);
  assert.equal(described[1], 'log audit.bin');
});

test('a pipe (bash process substitution) is read into memory and judged like a file', async () => {
  const harrier = path.join(repositoryRoot, 'bin/harrier.js');
  const ruleFile = corpusPath('falco/tests-0.34.1/rules/single_rule_with_tags.yaml');
  const archive = write('piped/capture.zip', zipSync({ 'cap.scap': readFileSync(catWrite) }));
  const script = `"${process.execPath}" "${harrier}" replay --no-progress -r "${ruleFile}" <(cat "${catWrite}") <(cat "${archive}")`;
  const { stderr } = await promisify(execFile)('bash', ['-c', script]);
  assert.match(stderr, /^syscall: \/dev\/fd\/\d+: 345 events, 8 alerts\n/);
  assert.match(stderr, /\nsyscall: \/dev\/fd\/\d+:cap\.scap: 345 events, 8 alerts\n/);
});

test('a file named again, through a link or inside a directory given, is replayed once and the other names are warned about', async () => {
  const capture = write('twice/cw.scap', readFileSync(catWrite));
  symlinkSync('cw.scap', path.join(workDirectory, 'twice/link.scap'));
  const directory = path.join(workDirectory, 'twice');
  const again = `${directory}/../twice/cw.scap`;
  assert.deepEqual(describe(await inputsOf(capture, directory, again)), [
    'capture cw.scap',
    `duplicate ${capture} of ${capture}`,
    `duplicate ${path.join(directory, 'link.scap')} of ${capture}`,
    `duplicate ${again} of ${capture}`,
  ]);
  const result = await replay([capture, directory, again], await rules(), () => {});
  assert.deepEqual(
    result.captures.map(({ events, alerts }) => [events, alerts]),
    [[345, 8]],
  );
  assert.equal(result.duplicates.count, 3);

  const harrier = path.join(repositoryRoot, 'bin/harrier.js');
  const ruleFile = corpusPath('falco/tests-0.34.1/rules/single_rule_with_tags.yaml');
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [
    harrier, 'replay', '--no-progress', '-r', ruleFile, capture, directory, again,
  ]); // prettier-ignore
  assert.equal(stdout.trimEnd().split('\n').length, 8);
  assert.ok(
    stderr.endsWith(
      `harrier replay: warning: 3 inputs named a file already read, which is replayed once: ${capture} in ${directory} again, ${path.join(directory, 'link.scap')} in ${directory} is ${capture}, ${again} is ${capture}\n`,
    ),
    stderr,
  );
});
