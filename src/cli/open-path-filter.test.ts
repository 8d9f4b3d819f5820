import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuleFiles, loadRuleFilesFromDisk, type RuleSet } from '../detect/index.js';
import { fieldValuesTableFor, type FieldValuesEvent } from '../detect/rule-tests/index.js';
import { closeEvaluationScope, openEvaluationScope, type FieldTable } from '../engine/index.js';
import { corpusPath } from '../testing/corpus.js';
import { DEFAULT_RULE_FILES } from './default-rules.js';
import {
  encodeOpenPathFilter,
  openPathFilterFor,
  openPathFilterPasses,
  type OpenPathFilter,
  type OpenPathTerm,
} from './open-path-filter.js';

const fieldTables = (source: string) => fieldValuesTableFor(source) as FieldTable | undefined;

function rulesYaml(conditions: string[], output = 'o'): string {
  return conditions
    .map((condition, index) => {
      const rule = `- rule: r${index}\n  desc: d\n  condition: ${condition}\n`;
      return `${rule}  output: '${output}'\n  priority: INFO\n  warn_evttypes: false\n`;
    })
    .join('\n');
}

function ruleSetOf(conditions: string[], output?: string): RuleSet {
  const content = rulesYaml(conditions, output);
  const { ruleSet, diagnostics } = loadRuleFiles([{ name: 'r.yaml', content }], { fieldTables });
  assert.ok(ruleSet, diagnostics.map((d) => d.message).join('\n'));
  return ruleSet;
}

const filterOf = (...conditions: string[]) => openPathFilterFor(ruleSetOf(conditions));
const encoded = (...conditions: string[]) => encodeOpenPathFilter(filterOf(...conditions));

/** A term from its text form's parts: the flag letters and the prefix itself. */
function term(flags: string, prefix?: string): OpenPathTerm {
  const needs = {
    write: flags.includes('w'),
    succeeded: flags.includes('s'),
    failed: flags.includes('f'),
  };
  return prefix === undefined ? needs : { prefix, ...needs };
}

const hex = (text: string) => Buffer.from(text).toString('hex');

async function loadFromDisk(paths: readonly string[]): Promise<RuleSet<FieldValuesEvent>> {
  const { ruleSet, diagnostics } = await loadRuleFilesFromDisk(paths, { fieldTables });
  assert.ok(ruleSet, diagnostics.map((d) => d.message).join('\n'));
  return ruleSet as RuleSet<FieldValuesEvent>;
}

const falcoRules = () => loadFromDisk([corpusPath('falco/rules/falco_rules.yaml')]);
const harrierRules = () => loadFromDisk(DEFAULT_RULE_FILES);

test('fd.name checks give prefixes, result and mode checks give flags', () => {
  assert.equal(
    encoded('evt.type = openat and fd.name = /etc/shadow and fd.num >= 0'),
    `s:${hex('/etc/shadow')}`,
  );
  assert.equal(
    encoded('evt.type = open and fd.name in (/a, /b) and evt.is_open_write = true'),
    `w:${hex('/a')} w:${hex('/b')}`,
  );
  assert.equal(
    encoded("evt.type = openat and fd.name glob '/home/*/.ssh/*'"),
    `-:${hex('/home/')}`,
  );
  assert.equal(
    encoded('evt.type = openat and fd.name startswith /tmp and evt.rawres < 0'),
    `f:${hex('/tmp')}`,
  );
  assert.equal(
    encoded('evt.type = openat and evt.res startswith E and evt.is_open_write = true'),
    'wf:-',
  );
  assert.equal(encoded('evt.type = openat and evt.failed = false and proc.name = sh'), 's:-');
});

test('pmatch and fd.directory rebuild the prefix the path must start with', () => {
  // pmatch compares whole components and skips empty ones: `etc/pam.d/` covers /etc/pam.d.
  assert.equal(
    encoded('evt.type = openat and fd.name pmatch (etc/pam.d/, /proc/*/mem)'),
    `-:${hex('/etc/pam.d')} -:${hex('/proc/')}`,
  );
  assert.equal(
    encoded('evt.type = openat and fd.directory in (/var/log, /srv/)'),
    `-:${hex('/var/log/')} -:${hex('/srv/')}`,
  );
  assert.equal(encoded('evt.type = openat and fd.directory = /'), `-:${hex('/')}`);
});

test('and intersects prefixes and flags, or joins, and a term another covers goes', () => {
  assert.equal(
    encoded('evt.type = openat and fd.name startswith /etc and fd.name in (/etc/a, /var/b)'),
    `-:${hex('/etc/a')}`,
  );
  assert.equal(encoded('evt.type = openat and fd.name = /etc/a and fd.name = /var/b'), 'none');
  assert.equal(encoded('evt.type = openat and fd.num >= 0 and fd.num = -1'), 'none');
  const mixed =
    'evt.type = openat and ((fd.name = /etc/shadow and proc.name = cat) or ' +
    '(fd.name startswith /root and evt.is_open_write = true) or fd.name startswith /etc/)';
  assert.equal(encoded(mixed), `w:${hex('/root')} -:${hex('/etc/')}`);
  // Every open succeeded or failed: the two terms together are one without either.
  assert.equal(
    encoded('evt.type = openat and fd.name startswith /x and (fd.num >= 0 or evt.res = ENOENT)'),
    `-:${hex('/x')}`,
  );
});

test('not, unknown checks and other fd.name operators leave any path', () => {
  const any = (condition: string) => assert.equal(encoded(condition), 'all', condition);
  any('evt.type = openat and not fd.name startswith /tmp');
  any('evt.type = openat and fd.name contains /.ssh/');
  any('evt.type = openat and fd.name endswith .conf');
  any('evt.type = openat and fd.name != /etc/shadow');
  any('evt.type = openat and tolower(fd.name) = /etc/shadow');
  any('evt.type = openat and fd.filename = shadow');
  assert.deepEqual(filterOf('evt.type = openat and proc.name = cat'), {
    kind: 'all',
    reason: "rule 'r0' can match an open of any path",
  });
  assert.deepEqual(
    filterOf('evt.type = openat and fd.num >= 0', 'evt.type = open and fd.num < 0'),
    {
      kind: 'all',
      reason: "rules 'r0', 'r1' together match an open of any path",
    },
  );
});

test('rules on other events add nothing, and neither do opens that are always reported', () => {
  assert.equal(encoded('evt.type in (execve, connect) and proc.name = sh'), 'none');
  assert.equal(encoded('evt.type in (openat, execve) and evt.type = execve'), 'none');
  assert.equal(encoded('evt.type = openat and fd.typechar in (4, 6)'), 'none');
  // A `..` component makes the kernel report the open whatever the filter says.
  assert.equal(encoded("evt.type = openat and fd.nameraw contains '/../'"), 'none');
  assert.equal(encoded("evt.type = openat and fd.nameraw startswith '../'"), 'none');
  // 'a../b' contains '../' without one: the raw check cannot drop the open.
  assert.equal(encoded("evt.type = openat and fd.nameraw contains '../' and fd.num >= 0"), 's:-');
});

test('a rule reading an fd on a later event needs the open that made it, flags dropped', () => {
  const read = 'evt.type = read and fd.name startswith /etc/ and evt.rawres >= 0';
  assert.equal(encoded(read), `-:${hex('/etc/')}`);
  assert.equal(encoded('evt.type = read and proc.name = cat'), 'none', 'reads no fd field');
  assert.equal(
    encodeOpenPathFilter(openPathFilterFor(ruleSetOf(['evt.type = read'], '%fd.name'))),
    'all',
  );
  assert.equal(encoded('evt.type = read and evt.arg.fd contains /etc'), 'all');
  assert.equal(encoded('evt.type = fchmod and fs.path.name = /etc/x'), `-:${hex('/etc/x')}`);
  assert.equal(encoded('evt.type = connect and fd.l4proto = tcp and fd.sport = 3333'), 'none');
  assert.equal(encoded('evt.type = dup and fd.type in (ipv4, ipv6)'), 'none');
  assert.deepEqual(filterOf('evt.type = close and proc.name = sshd'), {
    kind: 'all',
    reason: "rule 'r0' can use the descriptor of any open",
  });
});

test('prefixes are cut to 63 bytes between characters, and past 64 the rules need every open', () => {
  const long = `/${'é'.repeat(40)}`;
  const filter = filterOf(`evt.type = openat and fd.name startswith ${long}`);
  assert.equal(filter.kind, 'terms');
  assert.deepEqual(filter.kind === 'terms' && filter.terms, [term('', `/${'é'.repeat(31)}`)]);
  const many = Array.from({ length: 40 }, (_, i) => `/d${i}/`);
  const flagged = filterOf(
    `evt.type = openat and fd.num >= 0 and fd.name in (${many.join(', ')})`,
    `evt.type = openat and evt.is_open_write = true and fd.name in (${many.join(', ')})`,
  );
  // 80 terms do not fit; without flags the 40 prefixes do.
  assert.equal(encodeOpenPathFilter(flagged), many.map((p) => `-:${hex(p)}`).join(' '));
  const tooMany = Array.from({ length: 65 }, (_, i) => `/d${i}/`);
  assert.deepEqual(filterOf(`evt.type = openat and fd.name in (${tooMany.join(', ')})`), {
    kind: 'all',
    reason: "the rules need 65 path prefixes, more than the probe's 64",
  });
});

test('the kernel reports uncertain paths and directories whatever the terms say', () => {
  const filter: OpenPathFilter = { kind: 'terms', terms: [term('ws', '/etc/')] };
  const open = { path: '/tmp/x', write: true, ret: 3, directory: false, uncertain: false };
  assert.equal(openPathFilterPasses(filter, open), false);
  assert.equal(openPathFilterPasses(filter, { ...open, uncertain: true }), true);
  assert.equal(openPathFilterPasses(filter, { ...open, directory: true }), true);
  assert.equal(openPathFilterPasses(filter, { ...open, path: '/etc/x' }), true);
  assert.equal(openPathFilterPasses(filter, { ...open, path: '/etc/x', ret: -2 }), false);
  assert.equal(openPathFilterPasses(filter, { ...open, path: '/etc/x', write: false }), false);
  assert.equal(openPathFilterPasses({ kind: 'terms', terms: [] }, { ...open, path: '/' }), false);
});

test('the text form lists flags and hex prefixes', () => {
  assert.equal(encodeOpenPathFilter({ kind: 'all', reason: 'r' }), 'all');
  assert.equal(encodeOpenPathFilter({ kind: 'terms', terms: [] }), 'none');
  const terms = [
    term('s', '/etc'),
    term('ws'),
    term('f', '/a b'),
    term('', '/café'),
    term('wf', '/'),
  ];
  assert.equal(
    encodeOpenPathFilter({ kind: 'terms', terms }),
    's:2f657463 ws:- f:2f612062 -:2f636166c3a9 wf:2f',
  );
});

test("Falco's stable rules need every open for directory traversal, else sensitive reads and writes", async () => {
  const falco = await falcoRules();
  // `fd.nameraw contains '../'` also holds for '/etc/a../b../shadow', which has no `..`
  // component, and the rule takes failed opens of any path containing "id_rsa".
  assert.deepEqual(openPathFilterFor(falco), {
    kind: 'all',
    reason: "rule 'Directory traversal monitored file read' can match an open of any path",
  });
  falco.disable('Directory traversal monitored file read');
  // Sensitive files: the names, /etc/pam.d/ and /etc/sudoers.d/ (under /etc/sudoers). Any
  // successful write: "Clear Log Activities" takes fd.filename, release_agent an endswith.
  assert.deepEqual(openPathFilterFor(falco), {
    kind: 'terms',
    terms: [
      term('s', '/etc/shadow'),
      term('s', '/etc/sudoers'),
      term('s', '/etc/pam.conf'),
      term('s', '/etc/security/pwquality.conf'),
      term('s', '/etc/pam.d/'),
      term('ws'),
    ],
  });
});

test("Harrier's default rules need every open for fchmod's file name, and every successful one without", async () => {
  const harrier = await harrierRules();
  assert.deepEqual(openPathFilterFor(harrier), {
    kind: 'all',
    reason: "rule 'Setuid or setgid bit set' can use the descriptor of any open",
  });
  harrier.disable('Setuid or setgid bit set');
  assert.deepEqual(openPathFilterFor(harrier), {
    kind: 'all',
    reason: "rule 'File made executable in container' can use the descriptor of any open",
  });
  // Both name an fchmod's file by its fd (%fs.path.name). Without them, reads of SSH keys
  // (glob '*/.ssh/id_*'), cloud credentials (endswith) and exec opens take any path.
  harrier.disable('File made executable in container');
  assert.deepEqual(openPathFilterFor(harrier), { kind: 'terms', terms: [term('s')] });
});

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function randomSource(seed: number): <T>(items: readonly T[]) => T {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (items) => items[Math.floor(next() * items.length)] as (typeof items)[number];
}

const PATHS = [
  '/etc/shadow', '/etc/pam.d/x', '/etcx', '/etc/pam.conf', '/etc/passwd', '/etc/sudoers.d/admin', '/etc/crontab',
  '/etc/ld.so.preload', '/etc/systemd/system/x.service', '/etc/a../b../shadow', '/var/log/syslog',
  '/var/log/auth.log', '/root/.ssh/id_rsa', '/home/a/.ssh/k', '/home/a/.ssh/id_ed25519',
  '/home/a/.aws/credentials', '/home/a/.bashrc', '/home/a/.bash_history', '/tmp/x', '/tmp/.hidden',
  '/tmp/cgrp/release_agent', '/usr/bin/x', '/usr/local/sbin/y', '/boot/vmlinuz', '/dev/shm/x',
  '/proc/sys/kernel/core_pattern', '/proc/1/mem', '/host/etc/x', '/café/ü b', '/',
]; // prettier-ignore
const PROCESS_NAMES = [
  'bash', 'sh', 'cat', 'python3', 'sshd', 'sudo', 'vim', 'nginx', 'cp', 'passwd', 'useradd',
  'chmod', 'curl', 'dpkg', 'runc', 'logrotate', 'aws', 'xmrig', 'node',
]; // prettier-ignore
const OPEN_TYPES = ['open', 'openat', 'openat2', 'creat'];
const MODES = [
  { flags: 'O_RDONLY', write: false, read: true },
  { flags: 'O_WRONLY|O_CREAT|O_TRUNC', write: true, read: false },
  { flags: 'O_RDWR', write: true, read: true },
];

interface OpenCase {
  event: FieldValuesEvent;
  open: { path: string; write: boolean; ret: number; directory: false; uncertain: false };
}

/** The directory part of a path as `fd.directory` gives it. */
function directoryOf(path: string): string {
  const at = path.lastIndexOf('/');
  return at > 0 ? path.slice(0, at) : '/';
}

/** Fields every event shares: process, user, container. */
function processFields(pick: <T>(items: readonly T[]) => T): Record<string, unknown> {
  const name = pick(PROCESS_NAMES);
  const inContainer = pick([false, true]);
  return {
    'evt.dir': '<',
    'proc.name': name,
    'proc.exe': name,
    'proc.exepath': `/usr/bin/${name}`,
    'proc.cmdline': `${name} -x`,
    'proc.pname': pick(PROCESS_NAMES),
    'proc.aname': [pick(PROCESS_NAMES), pick(PROCESS_NAMES), 'systemd'],
    'proc.duration': pick([1000, 9_000_000_000]),
    'user.uid': pick([0, 1000]),
    'user.name': 'root',
    'container.id': inContainer ? '3ad7b26ded6d' : 'host',
    'container.image.repository': inContainer ? 'docker.io/library/web' : '',
    'thread.cap_effective': pick(['', 'CAP_SYS_ADMIN CAP_DAC_OVERRIDE']),
  };
}

function randomOpen(pick: <T>(items: readonly T[]) => T): OpenCase {
  const type = pick(OPEN_TYPES);
  const path = pick(PATHS);
  const mode = type === 'creat' ? MODES[1] : pick(MODES);
  const ret = pick([3, 7, -2, -13]);
  const failed = ret < 0;
  const values: Record<string, unknown> = {
    ...processFields(pick),
    'evt.type': type,
    'evt.rawres': ret,
    'evt.res': failed ? (ret === -2 ? 'ENOENT' : 'EACCES') : 'SUCCESS',
    'evt.failed': failed,
    'evt.is_open_read': mode.read,
    'evt.is_open_write': mode.write,
    'evt.is_open_exec': pick([false, true]),
    'evt.is_open_create': pick([false, true]),
    'evt.arg.flags': mode.flags,
    'fd.num': failed ? -1 : ret,
    'fd.typechar': failed && type === 'open' ? 'o' : 'f',
    'fd.name': path,
    'fd.nameraw': path,
    'fd.directory': directoryOf(path),
    'fd.filename': path.slice(path.lastIndexOf('/') + 1),
    'fs.path.name': path,
  };
  if (!failed) values['fd.type'] = 'file';
  const event: FieldValuesEvent = { source: 'syscall', values: new Map(Object.entries(values)) };
  return { event, open: { path, write: mode.write, ret, directory: false, uncertain: false } };
}

function matchingRules(ruleSet: RuleSet<FieldValuesEvent>, event: FieldValuesEvent): string[] {
  const type = String(event.values.get('evt.type'));
  openEvaluationScope();
  try {
    return ruleSet
      .enabledRules('syscall')
      .filter((rule) => (rule.eventTypes?.has(type) ?? true) && rule.filter.evaluate(event))
      .map((rule) => rule.name);
  } finally {
    closeEvaluationScope();
  }
}

/**
 * Runs `count` random opens through the rules: every open a rule matches must pass the
 * filter. Returns how many opens some rule matched, so callers can show the check bites.
 */
function checkOpens(
  ruleSet: RuleSet<FieldValuesEvent>,
  filter: OpenPathFilter,
  seed: number,
  count: number,
): number {
  const pick = randomSource(seed);
  let matched = 0;
  for (let i = 0; i < count; i++) {
    const { event, open } = randomOpen(pick);
    const rules = matchingRules(ruleSet, event);
    if (rules.length === 0) continue;
    matched++;
    const passes = openPathFilterPasses(filter, open);
    assert.ok(passes, `${rules.join(', ')} match ${JSON.stringify(open)} (${event.values.get('evt.type')}) but ${encodeOpenPathFilter(filter)} drops it`);
  } // prettier-ignore
  return matched;
}

const HAND_WRITTEN = [
  'evt.type in (open, openat) and fd.name contains /.ssh/ and fd.num >= 0',
  'evt.type = openat and evt.is_open_write = true and fd.name endswith .conf',
  "evt.type in (openat, openat2) and fd.name glob '/home/*/.ssh/*'",
  'evt.type = openat and fd.name pmatch (etc/pam.d, /proc/*/mem) and evt.rawres >= 0',
  'evt.type = open and fd.directory in (/var/log, /)',
  'evt.type in (open, openat, openat2, creat) and fd.num = -1 and evt.res startswith E and fd.name startswith /etc',
  'evt.type = creat and not fd.name startswith /tmp and evt.failed = false and proc.name = vim',
  'evt.type = openat and ((fd.name = /etc/shadow and proc.name = cat) or (fd.name startswith /root and evt.is_open_write = true) or (fd.directory = /etc and evt.res = EACCES))',
  'evt.type in (execve, connect) and fd.name startswith /tmp',
  "evt.type = openat2 and fd.nameraw contains '/../' and proc.name = nginx",
  "evt.type in (open, openat) and fd.nameraw contains '../' and fd.name startswith /etc/",
  'evt.type = openat and fs.path.name in (/etc/crontab, /boot/vmlinuz) and evt.is_open_write = true',
]; // prettier-ignore

test('every open the rules match passes the filter: Falco, Harrier and hand-written rules', async () => {
  const falco = await falcoRules();
  assert.ok(checkOpens(falco, openPathFilterFor(falco), 1, 1500) > 30);
  falco.disable('Directory traversal monitored file read');
  const falcoTerms = openPathFilterFor(falco);
  assert.equal(falcoTerms.kind, 'terms');
  assert.ok(checkOpens(falco, falcoTerms, 2, 4000) > 60);

  const harrier = await harrierRules();
  harrier.disable('Setuid or setgid bit set');
  harrier.disable('File made executable in container');
  assert.ok(checkOpens(harrier, openPathFilterFor(harrier), 3, 3000) > 300);

  // One rule at a time: together, the broad ones would pass nearly every open.
  let matched = 0;
  HAND_WRITTEN.forEach((condition, index) => {
    const hand = ruleSetOf([condition]) as RuleSet<FieldValuesEvent>;
    matched += checkOpens(hand, openPathFilterFor(hand), 10 + index, 600);
  });
  assert.ok(matched > 150, `${matched} matches`);
});

const FD_RULES = [
  'evt.type = read and fd.name startswith /etc/ and evt.rawres >= 0',
  'evt.type in (write, pwrite) and fd.directory = /var/log and evt.is_open_write = true',
  'evt.type = close and proc.name in (sshd, cat) and fd.name pmatch (/root, /home)',
  "evt.type = fchmod and fs.path.name glob '/usr/*/x'",
  'evt.type = mmap and fd.name = /proc/1/mem',
  'evt.type = dup and fd.type = file and fd.name startswith /tmp',
  'evt.type in (read, connect) and fd.typechar = f and fd.sport = 3333',
]; // prettier-ignore

/** A later call on the fd an open of `path` made: the fields come from Harrier's fd table. */
function randomFdUse(pick: <T>(items: readonly T[]) => T): {
  event: FieldValuesEvent;
  path: string;
} {
  const path = pick(PATHS);
  const values: Record<string, unknown> = {
    ...processFields(pick),
    'evt.type': pick(['read', 'pread', 'write', 'pwrite', 'close', 'fchmod', 'mmap', 'dup', 'connect']),
    'evt.rawres': pick([0, 12, -9]),
    'fd.num': 3,
    'fd.type': 'file',
    'fd.typechar': 'f',
    'fd.name': path,
    'fd.nameraw': path,
    'fd.directory': directoryOf(path),
    'fs.path.name': path,
  }; // prettier-ignore
  return { event: { source: 'syscall', values: new Map(Object.entries(values)) }, path };
}

test('every fd a rule reads on a later call comes from an open the filter passes', () => {
  let matched = 0;
  FD_RULES.forEach((condition, index) => {
    const ruleSet = ruleSetOf([condition]) as RuleSet<FieldValuesEvent>;
    const filter = openPathFilterFor(ruleSet);
    const pick = randomSource(20 + index);
    for (let i = 0; i < 1500; i++) {
      const { event, path } = randomFdUse(pick);
      if (matchingRules(ruleSet, event).length === 0) continue;
      matched++;
      // The open that made the fd succeeded, for reading or writing.
      for (const write of [false, true]) {
        const open = { path, write, ret: 3, directory: false, uncertain: false };
        assert.ok(openPathFilterPasses(filter, open), `${condition} reads an fd of ${path}`);
      }
    }
  });
  assert.ok(matched > 50, `${matched} matches`);
});
