import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCondition } from './parser.js';
import { compileCondition } from './compiler.js';
import type { FieldDefinition, FieldTable, FieldType, FieldValue } from './fields/types.js';

/** A small table over plain records, so each operator can be checked on chosen values. */
type Event = Record<string, FieldValue | undefined>;

function field(
  name: string,
  type: FieldType,
  options: Partial<FieldDefinition<Event>> = {},
): [string, FieldDefinition<Event>] {
  return [
    name,
    {
      name,
      type,
      argument: 'none',
      description: 'test',
      extract: (event) => event[name],
      ...options,
    },
  ];
}

const table: FieldTable<Event> = {
  source: 'test',
  fields: new Map([
    field('t.name', 'CHARBUF'),
    field('t.path', 'FSPATH'),
    field('t.count', 'UINT64'),
    field('t.delta', 'INT32'),
    field('t.flag', 'BOOL'),
    field('t.ip', 'IPADDR'),
    field('t.net', 'IPNET'),
    field('t.port', 'PORT'),
    field('t.bytes', 'BYTEBUF'),
    field('t.args', 'CHARBUF', { isList: true }),
    field('t.other', 'CHARBUF'),
    field('t.ends', 'IPADDR', { candidates: (event) => event['t.ends'] }),
    field('t.socket', 'IPADDR', {
      candidates: (event) => event['t.ends'],
      notEqualOnEveryCandidate: true,
    }),
    field('t.ports', 'PORT', {
      candidates: (event) => event['t.ports'],
      notEqualOnEveryCandidate: true,
    }),
  ]),
};

function check(condition: string, event: Event): boolean {
  const parsed = parseCondition(condition);
  assert.ok(parsed.ok, `${condition}: ${!parsed.ok && parsed.error.message}`);
  const compiled = compileCondition(parsed.ast, table);
  assert.ok(compiled.ok, `${condition}: ${!compiled.ok && compiled.error.message}`);
  return compiled.filter.evaluate(event);
}

function compileError(condition: string): string {
  const parsed = parseCondition(condition);
  assert.ok(parsed.ok);
  const compiled = compileCondition(parsed.ast, table);
  assert.equal(compiled.ok, false, `${condition} should not compile`);
  return !compiled.ok ? compiled.error.message : '';
}

const event: Event = {
  't.name': 'bash',
  't.path': '/etc/ssh/sshd_config',
  't.count': 18446744073709551615n,
  't.delta': -5,
  't.flag': true,
  't.ip': '10.0.0.7',
  't.net': '192.168.1.20',
  't.port': 22,
  't.bytes': new Uint8Array([0x00, 0x41, 0x42, 0xff]),
  't.args': ['-c', 'echo hi'],
  't.other': 'bash',
  't.ends': ['127.0.0.1', '10.1.1.1'],
  't.ports': [40312, 22],
};

test('compares strings with every string operator', () => {
  assert.equal(check('t.name = bash', event), true);
  assert.equal(check('t.name != bash', event), false);
  assert.equal(check('t.name contains as', event), true);
  assert.equal(check('t.name icontains ASH', event), true);
  assert.equal(check('t.name startswith ba', event), true);
  assert.equal(check('t.name endswith sh', event), true);
  assert.equal(check('t.name glob b*h', event), true);
  assert.equal(check('t.name iglob B*H', event), true);
  assert.equal(check('t.name in (sh, bash)', event), true);
  assert.equal(check('t.name intersects (sh)', event), false);
});

test('the grammar takes only numbers after an ordering operator', () => {
  const parsed = parseCondition('t.name < zsh');
  assert.equal(parsed.ok, false);
});

test('regex matches the whole value with RE2', () => {
  assert.equal(check("t.name regex 'ba.h'", event), true);
  assert.equal(check("t.name regex 'as'", event), false);
  assert.equal(check("t.name regex '(a+)+$'", { 't.name': 'a'.repeat(50000) + 'b' }), false);
});

test('pmatch matches whole path components and glob components', () => {
  assert.equal(check('t.path pmatch (/etc/ssh)', event), true);
  assert.equal(check('t.path pmatch (/etc/ss)', event), false);
  assert.equal(check('t.path pmatch (/usr, /etc/*/sshd_config)', event), true);
});

test('modifiers count matches over the right-hand list', () => {
  assert.equal(check('t.path startswith oneof (/etc, /etc/ssh)', event), false);
  assert.equal(check('t.path startswith anyof (/etc, /usr)', event), true);
  assert.equal(check('t.path contains allof (ssh, config)', event), true);
  assert.equal(check('t.path contains allof (ssh, nope)', event), false);
  assert.equal(check('t.name = oneof ()', event), false);
});

test('compares 64-bit and signed integers exactly', () => {
  assert.equal(check('t.count = 18446744073709551615', event), true);
  assert.equal(check('t.count > 9007199254740993', event), true);
  assert.equal(check('t.delta < 0', event), true);
  assert.equal(check('t.delta in (1, -5)', event), true);
  assert.equal(check('t.count = -1', event), true, 'u64 constants wrap like sscanf');
  assert.match(compileError('t.count = 0x10'), /0x10 is not a valid number/);
  assert.match(
    compileError('t.count contains 1'),
    /'contains' operator not supported for numeric filters/,
  );
});

test('compares booleans, ports and byte buffers', () => {
  assert.equal(check('t.flag = true', event), true);
  assert.match(compileError('t.flag = yes'), /unrecognized boolean value yes/);
  assert.equal(check('t.port = ssh', event), true);
  assert.equal(check('t.port in (80, 22)', event), true);
  assert.equal(check('t.bytes bcontains 4142', event), true);
  assert.equal(check('t.bytes bstartswith 0041', event), true);
  assert.match(compileError('t.bytes bcontains 4Z'), /hex strings only/);
});

test('compares addresses by value and networks by prefix', () => {
  assert.equal(check('t.ip = 10.0.0.7', event), true);
  assert.equal(check('t.ip in (::1, 10.0.0.7)', event), true);
  assert.equal(check('t.ip = ::1', { 't.ip': '0:0:0:0:0:0:0:1' }), true);
  assert.equal(check('t.net = 192.168.0.0/16', event), true);
  assert.equal(check('t.net in (10.0.0.0/8, 192.168.1.0/24)', event), true);
  assert.equal(check('t.net != 192.168.0.0/16', event), false);
  assert.match(compileError('t.net = 192.168.1.1'), /unrecognized IP network/);
  assert.match(
    compileError('t.ip contains 10'),
    /not supported for ip address and network filters/,
  );
});

test('any-of fields match when one candidate does', () => {
  assert.equal(check('t.ends = 10.1.1.1', event), true);
  assert.equal(check('t.ends = 10.9.9.9', event), false);
  assert.equal(check('t.ends != 10.1.1.1', event), true, 'an ancestor-like field: one differs');
});

test('!= on both ends of a socket holds only when neither end equals the value', () => {
  assert.equal(check('t.socket != 10.1.1.1', event), false);
  assert.equal(check('t.socket != 127.0.0.1', event), false);
  assert.equal(check('t.socket != 10.9.9.9', event), true);
  assert.equal(check('not t.socket = 10.1.1.1', event), false);
  assert.equal(check('t.ports != 22', event), false);
  assert.equal(check('t.ports != 23', event), true);
  assert.equal(check('t.ports > 30000', event), true, 'orderings hold for one end');
  assert.equal(check('t.ports in (22, 80)', event), true);
  assert.equal(check('t.socket != 10.1.1.1', { 't.ends': [] }), false, 'no ends, no match');
});

test('list fields support in (all members) and intersects (one member)', () => {
  assert.equal(check("t.args in (-c, 'echo hi', -x)", event), true);
  assert.equal(check('t.args in (-c)', event), false);
  assert.equal(check('t.args intersects (-c)', event), true);
  assert.match(compileError('t.args = -c'), /'=' operator not supported list filters/);
});

test('a value that cannot be extracted makes checks false but not negations', () => {
  const empty: Event = {};
  assert.equal(check('t.name = bash', empty), false);
  assert.equal(check('t.name != bash', empty), false);
  assert.equal(check('not t.name = bash', empty), true);
  assert.equal(check('t.name exists', empty), false);
  assert.equal(check('t.name exists', event), true);
});

test('transformers change values and types', () => {
  assert.equal(check('toupper(t.name) = BASH', event), true);
  assert.equal(check('basename(t.path) = sshd_config', event), true);
  assert.equal(check('len(t.path) = 20', event), true);
  assert.equal(check('len(t.args) = 2', event), true);
  assert.equal(check('b64(t.name) = hello', { 't.name': 'aGVsbG8=' }), true);
  assert.equal(check('b64(t.name) exists', { 't.name': 'not base64!' }), false);
  assert.equal(check('join("+", t.args) = "-c+echo hi"', event), true);
  assert.equal(check('concat(t.name, "-", t.other) = bash-bash', event), true);
  assert.match(
    compileError('tolower(t.count) = 1'),
    /type 'UINT64' is not supported by 'tolower' transformer/,
  );
});

test('getopt reads options as getopt(3) does', () => {
  const args: Event = { 't.args': ['-n', '-t', 'value', 'rest', '-x'] };
  assert.equal(check('getopt(t.args, "nt:")[t] = value', args), true);
  assert.equal(check('getopt(t.args, "nt:") intersects (n)', args), true);
  assert.equal(
    check('getopt(t.args, "nt:")[x] exists', args),
    false,
    'stops at the first non-option',
  );
});

test('compares a field with another field through val()', () => {
  assert.equal(check('t.name = val(t.other)', event), true);
  assert.equal(check('t.name in val(t.other)', event), true);
  assert.equal(check('t.name = val(t.other)', { 't.name': 'bash' }), false);
  assert.match(
    compileError('t.name = val(t.count)'),
    /has type 'CHARBUF' while the right-hand side field 't.count' has incompatible type 'UINT64'/,
  );
  assert.match(compileError('t.name regex val(t.other)'), /doesn't support right-hand side fields/);
});
