/**
 * The in-kernel filter on open-family exits: which opens the live probe must report because an
 * enabled rule could match them, or could later read the descriptor they made. The probe skips
 * every other open (and the close of its descriptor), which on a host that reads many files is
 * most of its events.
 *
 * The kernel judges an open by `path` (what Harrier gives as `fd.name`), whether it was opened
 * for writing, and its result. It always reports an open whose path it cannot compute exactly
 * (a `.` or `..` component, `//`, unreadable or too long) and an open of a directory. Otherwise
 * it reports the open when one term holds: a path prefix and flags that must all hold.
 *
 * Each rule gives a necessary condition of its condition as terms (a disjunction): checks on
 * `fd.name`, `fd.directory`, the open mode and the result narrow a term; `not`, unknown checks
 * and every other comparison leave it open. Whatever is unsure widens, so the filter can pass
 * opens no rule matches but never drops one a rule could match.
 *
 * LIMIT: `append_output.extra_fields` is not part of the ruleset; an extra `fd.*` field shows
 * an empty name in alerts on reads, writes and closes of descriptors whose opens were skipped.
 */
import type { Rule, RuleSet } from '../detect/index.js';
import { EVENT_FLAG_BITS, EVENT_FLAGS, EVENT_TABLE } from '../decode/event-table.js';
import type { Expr } from '../engine/index.js';
import {
  checksSuccess,
  excludesType,
  fieldName,
  isCheck,
  OPENS,
  type BinaryCheck,
} from './failed-calls.js';

/** What an open must show for a term to hold; a missing prefix means any path. */
export interface OpenPathTerm {
  prefix?: string;
  write: boolean;
  succeeded: boolean;
  failed: boolean;
}

/**
 * Report every open (`reason` names the rule, for the log line), or those for which a term
 * holds; no terms: no open can match a rule.
 */
export type OpenPathFilter =
  { kind: 'all'; reason: string } | { kind: 'terms'; terms: OpenPathTerm[] };

/** The probe's table sizes (`OPEN_FILTER_TERMS`, `OPEN_FILTER_PREFIXES` in harrier_probe.h). */
const MAX_TERMS = 64;
const MAX_PREFIXES = 64;
/** Prefix bytes the probe's loader keeps (`OPEN_PREFIX_BYTES - 1`); it cuts longer ones. */
const MAX_PREFIX_BYTES = 63;

const ANY: OpenPathTerm = { write: false, succeeded: false, failed: false };

/**
 * Events whose fd may be a file an open made earlier, and the names of those fd parameters:
 * an fd parameter that is not a dirfd (a dirfd names a directory, whose opens are always
 * reported), on an event that does not only create fresh descriptors (socket, pipe, ...).
 * Harrier finds such an fd's name in its table, filled only by the opens the probe reported.
 */
const FD_USERS = fdUsers();

function fdUsers(): { events: Set<string>; params: Set<string> } {
  const fdFlags =
    EVENT_FLAG_BITS.CREATES_FD | EVENT_FLAG_BITS.USES_FD | EVENT_FLAG_BITS.DESTROYS_FD;
  const events = new Set<string>();
  const params = new Set<string>();
  for (const info of EVENT_TABLE) {
    // Old layouts (linkat's with plain-text paths) mark no dirfd; the probe builds none.
    if (info.flags.has('OLD_VERSION') || OPENS.has(info.name)) continue;
    if ((EVENT_FLAGS[info.code] & fdFlags) === EVENT_FLAG_BITS.CREATES_FD) continue;
    const dirfds = new Set(info.params.map((param) => param.dirfdParam).filter(Boolean));
    info.params.forEach((param, index) => {
      if ((param.type !== 'FD' && param.type !== 'FDLIST') || dirfds.has(index)) return;
      events.add(info.name);
      params.add(param.name);
    });
  }
  return { events, params };
}

/**
 * Whether field names in `text` (a condition's fields or an output format) read the fd table:
 * `fd.*`, `fdlist.*`, `fs.path.*` (fchmod's is its fd's name), and the text of an fd
 * parameter (`evt.arg.fd`, `evt.args`, which shows it as `3(<f>/etc/passwd)`).
 */
function readsFdTable(text: string): boolean {
  if (/\b(?:fd|fdlist)\.\w|\bfs\.path\.|\bevt\.(?:args|info|buflen)\b/.test(text)) return true;
  for (const [, name, index] of text.matchAll(/\bevt\.arg(?:\.(\w+)|\[\s*(\w+)\s*\])/g))
    if (index !== undefined || FD_USERS.params.has(name)) return true;
  return false;
}

/**
 * The filter the enabled syscall rules of `ruleSet` allow: 'all' when some rule (or the rules
 * together) can match an open of any path with any result, or when the terms pass the probe's
 * table sizes even with their flags dropped.
 *
 * @example
 * encodeOpenPathFilter(openPathFilterFor(ruleSet)) // e.g. 's:2f6574632f ws:-'
 */
export function openPathFilterFor(ruleSet: RuleSet): OpenPathFilter {
  const terms: OpenPathTerm[] = [];
  const anyPath: string[] = [];
  for (const rule of ruleSet.enabledRules('syscall')) {
    const opens = canonical(openTerms(rule));
    if (opens.some(isUnrestricted))
      return { kind: 'all', reason: `rule '${rule.name}' can match an open of any path` };
    const uses = canonical(fdUseTerms(rule));
    if (uses.some(isUnrestricted))
      return { kind: 'all', reason: `rule '${rule.name}' can use the descriptor of any open` };
    if ([...opens, ...uses].some((term) => term.prefix === undefined)) anyPath.push(rule.name);
    terms.push(...opens, ...uses);
  }
  return withinProbeLimits(canonical(terms), anyPath);
}

function withinProbeLimits(terms: OpenPathTerm[], anyPath: string[]): OpenPathFilter {
  if (terms.some(isUnrestricted)) {
    const names = anyPath.map((name) => `'${name}'`).join(', ');
    return { kind: 'all', reason: `rules ${names} together match an open of any path` };
  }
  if (fitsProbe(terms)) return { kind: 'terms', terms };
  // Without flags, terms that differ only in them collapse into one.
  const widened = canonical(terms.map((term) => makeTerm(term.prefix, ANY)));
  if (fitsProbe(widened)) return { kind: 'terms', terms: widened };
  const prefixes = new Set(widened.map((term) => term.prefix)).size;
  return {
    kind: 'all',
    reason: `the rules need ${prefixes} path prefixes, more than the probe's ${MAX_PREFIXES}`,
  };
}

function fitsProbe(terms: OpenPathTerm[]): boolean {
  const prefixes = new Set(terms.map((term) => term.prefix).filter((p) => p !== undefined));
  return terms.length <= MAX_TERMS && prefixes.size <= MAX_PREFIXES;
}

/** Terms for the opens `rule` can match itself. */
function openTerms(rule: Rule): OpenPathTerm[] {
  const types = [...OPENS].filter((type) => rule.eventTypes?.has(type) ?? true);
  return types.flatMap((type) => termsOf(rule.condition, type));
}

/**
 * Terms for the opens whose descriptors `rule` reads on later events, flags dropped: the open
 * that made an fd could have been for reading or writing. The probe skips the close of a
 * skipped open's descriptor, so a rule on close needs those opens whatever fields it reads.
 */
function fdUseTerms(rule: Rule): OpenPathTerm[] {
  const readsTable = readsFdTable(rule.output) || readsFdTable(fieldsOf(rule.condition).join(' '));
  const types = [...(rule.eventTypes ?? FD_USERS.events)].filter(
    (type) => FD_USERS.events.has(type) && (readsTable || type === 'close'),
  );
  return types.flatMap((type) => termsOf(rule.condition, type).map((t) => makeTerm(t.prefix, ANY)));
}

function fieldsOf(expr: Expr): string[] {
  switch (expr.kind) {
    case 'and':
    case 'or':
    case 'transformer_list':
      return expr.children.flatMap(fieldsOf);
    case 'not':
      return fieldsOf(expr.child);
    case 'unary_check':
      return fieldsOf(expr.left);
    case 'binary_check':
      return [...fieldsOf(expr.left), ...fieldsOf(expr.right)];
    case 'field_transformer':
      return expr.values.flatMap(fieldsOf);
    case 'field':
      return [expr.argument === undefined ? expr.field : `${expr.field}[${expr.argument}]`];
    default:
      return [];
  }
}

/** A necessary condition of `expr` on an event of `type`, as terms; [] when it cannot hold. */
function termsOf(expr: Expr, type: string): OpenPathTerm[] {
  switch (expr.kind) {
    case 'and':
      return expr.children.reduce<OpenPathTerm[]>(
        (terms, child) => (terms.length === 0 ? terms : conjoin(terms, termsOf(child, type))),
        [ANY],
      );
    case 'or':
      return canonical(expr.children.flatMap((child) => termsOf(child, type)));
    case 'binary_check':
      return checkTerms(expr, type);
    default:
      return [ANY];
  }
}

/**
 * Both lists hold: their pairwise intersections, or the shorter list when there would be too
 * many. A one-term side never multiplies, so a long `in` list still meets the final caps.
 */
function conjoin(left: OpenPathTerm[], right: OpenPathTerm[]): OpenPathTerm[] {
  const product = left.length * right.length;
  if (product > MAX_TERMS && product > Math.max(left.length, right.length))
    return left.length <= right.length ? left : right;
  const both: OpenPathTerm[] = [];
  for (const a of left)
    for (const b of right) {
      const term = intersect(a, b);
      if (term !== undefined) both.push(term);
    }
  return canonical(both);
}

function intersect(a: OpenPathTerm, b: OpenPathTerm): OpenPathTerm | undefined {
  const succeeded = a.succeeded || b.succeeded;
  const failed = a.failed || b.failed;
  if (succeeded && failed) return undefined;
  const flags = { write: a.write || b.write, succeeded, failed };
  if (a.prefix === undefined || b.prefix?.startsWith(a.prefix)) return makeTerm(b.prefix, flags);
  if (b.prefix === undefined || a.prefix.startsWith(b.prefix)) return makeTerm(a.prefix, flags);
  return undefined;
}

function checkTerms(check: BinaryCheck, type: string): OpenPathTerm[] {
  if (excludesType(check, type)) return [];
  switch (fieldName(check)) {
    case 'fd.name':
    case 'fs.path.name': // the same path on an open, and the fd's name on fchmod and fchown
      return prefixTerms(namePrefixes(check));
    case 'fd.directory':
      return prefixTerms(directoryPrefixes(check));
    case 'fd.nameraw':
      return showsDotComponent(check) ? [] : [ANY];
  }
  if (excludesFiles(check)) return [];
  if (isCheck(check, 'evt.is_open_write', '=', 'true')) return [{ ...ANY, write: true }];
  if (checksSuccess(check, type)) return [{ ...ANY, succeeded: true }];
  if (checksFailure(check, type)) return [{ ...ANY, failed: true }];
  return [ANY];
}

function prefixTerms(prefixes: string[] | undefined): OpenPathTerm[] {
  return prefixes === undefined ? [ANY] : prefixes.map((prefix) => makeTerm(prefix, ANY));
}

/** Values of `=`, `in` and the other list or value operators; undefined for a field. */
function rightValues(check: BinaryCheck): string[] | undefined {
  const { right } = check;
  if (right.kind === 'value') return [right.value];
  return right.kind === 'list' ? right.values : undefined;
}

/** Prefixes every `fd.name` passing the check starts with; undefined when there are none. */
function namePrefixes(check: BinaryCheck): string[] | undefined {
  const values = rightValues(check);
  if (values === undefined) return undefined;
  switch (check.operator) {
    case '=':
    case 'in':
    case 'startswith':
      return values;
    case 'glob':
      return values.map((pattern) => pattern.split(/[*?[\\]/)[0]);
    case 'pmatch':
      return values.map(pathMatchPrefix);
  }
  return undefined;
}

/**
 * `pmatch` compares whole components and ignores empty ones, so `etc/` covers `/etc`: the
 * prefix is rebuilt from the literal components before the first glob one.
 */
function pathMatchPrefix(path: string): string {
  const components = path.split('/').filter((part) => part !== '');
  const literal = components.findIndex((part) => /[*?[\\]/.test(part));
  const kept = literal < 0 ? components : components.slice(0, literal);
  return `/${kept.join('/')}${literal > 0 ? '/' : ''}`;
}

/** A file's `fd.directory` is its name up to the last '/', so the name starts with D + '/'. */
function directoryPrefixes(check: BinaryCheck): string[] | undefined {
  const values = rightValues(check);
  if (values === undefined || (check.operator !== '=' && check.operator !== 'in')) return undefined;
  return values.map((directory) => (directory.endsWith('/') ? directory : `${directory}/`));
}

/**
 * A check on the raw path that only a string with a `.` or `..` component passes: those
 * opens are always reported. `contains '../'` is not one (`a../b` has no such component).
 */
function showsDotComponent(check: BinaryCheck): boolean {
  const values = rightValues(check);
  if (values === undefined || values.length !== 1) return false;
  const [value] = values;
  const marked = value.includes('/../') || value.includes('/./');
  if (check.operator === 'contains' || check.operator === 'icontains') return marked;
  if (check.operator === 'startswith') return marked || /^\.\.?\//.test(value);
  if (check.operator === 'endswith') return marked || /\/\.\.?$/.test(value);
  return false;
}

/** Fields only a socket has a value for; `fd.l4proto` reads '<NA>' on a file. */
const SOCKET_FIELDS: ReadonlySet<string> = new Set(
  ['l4proto', 'sockfamily', 'cip', 'sip', 'lip', 'rip', 'cport', 'sport', 'lport', 'rport'].map(
    (name) => `fd.${name}`,
  ),
);
const COMPARISONS: ReadonlySet<string> = new Set(['=', 'in', '<', '<=', '>', '>=']);

/**
 * A check no fd an open made passes: `fd.type` or `fd.typechar` limited to other kinds (opens
 * make files, 'f', and directories, always reported; a failed `open` reads as typechar 'o'),
 * or a comparison of a socket's address, port or protocol.
 */
function excludesFiles(check: BinaryCheck): boolean {
  const field = fieldName(check) ?? '';
  const values = rightValues(check);
  if (values === undefined || !COMPARISONS.has(check.operator)) return false;
  if (SOCKET_FIELDS.has(field)) return !values.includes('<NA>');
  if (check.operator !== '=' && check.operator !== 'in') return false;
  const fileKinds = field === 'fd.type' ? ['file'] : field === 'fd.typechar' ? ['f', 'o'] : [];
  return fileKinds.length > 0 && !values.some((value) => fileKinds.includes(value));
}

/** A result check that only a failed call passes. */
function checksFailure(check: BinaryCheck, type: string): boolean {
  const field = fieldName(check);
  const values = rightValues(check);
  if (values === undefined) return false;
  if (field === 'evt.rawres' || (field === 'fd.num' && OPENS.has(type)))
    return impliesNegative(check.operator, values);
  if (field === 'evt.res') {
    if (check.operator === 'startswith') return !'SUCCESS'.startsWith(values[0] ?? '');
    if (check.operator === '!=') return values[0] === 'SUCCESS';
    return (check.operator === '=' || check.operator === 'in') && !values.includes('SUCCESS');
  }
  return isCheck(check, 'evt.failed', '=', 'true');
}

function impliesNegative(operator: string, values: string[]): boolean {
  const numbers = values.map((text) => (/^-?\d+$/.test(text.trim()) ? Number(text) : NaN));
  if (operator === 'in') return numbers.length > 0 && numbers.every((n) => n < 0);
  if (numbers.length !== 1) return false;
  const [bound] = numbers;
  if (operator === '=' || operator === '<=') return bound < 0;
  return operator === '<' && bound <= 0;
}

/** A term with no prefix key when there is none (terms compare deeply in tests). */
function makeTerm(prefix: string | undefined, flags: Omit<OpenPathTerm, 'prefix'>): OpenPathTerm {
  const { write, succeeded, failed } = flags;
  if (prefix === undefined || prefix === '') return { write, succeeded, failed };
  return { prefix: truncated(prefix), write, succeeded, failed };
}

/** The longest start of `prefix` within the probe's bytes, cut between characters. */
function truncated(prefix: string): string {
  if (Buffer.byteLength(prefix) <= MAX_PREFIX_BYTES) return prefix;
  let bytes = 0;
  let end = 0;
  for (const char of prefix) {
    bytes += Buffer.byteLength(char);
    if (bytes > MAX_PREFIX_BYTES) break;
    end += char.length;
  }
  return prefix.slice(0, end);
}

function isUnrestricted(term: OpenPathTerm): boolean {
  return term.prefix === undefined && !term.write && !term.succeeded && !term.failed;
}

/** Whether every open `narrow` passes, `wide` passes too. */
function subsumes(wide: OpenPathTerm, narrow: OpenPathTerm): boolean {
  if (wide.prefix !== undefined && !narrow.prefix?.startsWith(wide.prefix)) return false;
  return (
    (!wide.write || narrow.write) &&
    (!wide.succeeded || narrow.succeeded) &&
    (!wide.failed || narrow.failed)
  );
}

/**
 * The same disjunction, smaller: a succeeded term and a failed term that agree otherwise
 * become one without either (every open did one or the other), and a term another term
 * subsumes goes. Keeps the first of equal terms, so the order follows the rules.
 */
function canonical(terms: OpenPathTerm[]): OpenPathTerm[] {
  const merged = [...terms];
  for (const term of terms) {
    if (!term.succeeded) continue;
    const pair = terms.find(
      (other) => other.failed && other.prefix === term.prefix && other.write === term.write,
    );
    if (pair !== undefined) merged.push(makeTerm(term.prefix, { ...ANY, write: term.write }));
  }
  return merged.filter(
    (term, index) =>
      !merged.some(
        (other, at) =>
          at !== index && subsumes(other, term) && (!subsumes(term, other) || at < index),
      ),
  );
}

/** The kernel's decision for one open, as harrier_probe.h describes it. */
export function openPathFilterPasses(
  filter: OpenPathFilter,
  open: { path: string; write: boolean; ret: number; directory: boolean; uncertain: boolean },
): boolean {
  if (filter.kind === 'all' || open.uncertain || open.directory) return true;
  return filter.terms.some(
    (term) =>
      (term.prefix === undefined || open.path.startsWith(term.prefix)) &&
      (!term.write || open.write) &&
      (!term.succeeded || open.ret >= 0) &&
      (!term.failed || open.ret < 0),
  );
}

/**
 * The loader's text form: 'all'; 'none' for no term; else the terms separated by spaces,
 * each `<flags>:<prefix>`, flags the letters w, s, f in that order ('-' for none) and the
 * prefix its UTF-8 bytes in lowercase hex ('-' for any path).
 *
 * @example
 * const etc = { prefix: '/etc', write: false, succeeded: true, failed: false };
 * encodeOpenPathFilter({ kind: 'terms', terms: [etc, { ...etc, prefix: undefined, write: true }] })
 * // 's:2f657463 ws:-'
 */
export function encodeOpenPathFilter(filter: OpenPathFilter): string {
  if (filter.kind === 'all') return 'all';
  if (filter.terms.length === 0) return 'none';
  return filter.terms.map(encodeTerm).join(' ');
}

function encodeTerm(term: OpenPathTerm): string {
  const flags = `${term.write ? 'w' : ''}${term.succeeded ? 's' : ''}${term.failed ? 'f' : ''}`;
  const prefix = term.prefix === undefined ? '-' : Buffer.from(term.prefix).toString('hex');
  return `${flags || '-'}:${prefix}`;
}
