/**
 * A load warning for syscall rules that read `fd.*` fields but can match only event types
 * whose fd cannot be the file the rule means. libsinsp (and Harrier) give `fd.*` fields a
 * value only on events flagged as creating, using or closing an fd; on the others every check
 * on them is false, and its negation true. The `*at` calls that only take a directory fd
 * (unlinkat, mkdirat, ...) have that directory as their fd, never the file they act on.
 */
import type { Expr, Position } from './ast.js';
import { EVENT_FLAG_BITS, EVENT_FLAGS, EVENT_TABLE } from '../decode/event-table.js';
import { SYSCALL_NAMES } from '../decode/flag-names.js';
import type { EventInfo } from '../decode/event.js';

/** What `fd.*` fields can describe on an event type. */
type FdKind = 'none' | 'directory' | 'file';

const RANK: Readonly<Record<FdKind, number>> = { none: 0, directory: 1, file: 2 };
const FD_OF_OWN = EVENT_FLAG_BITS.CREATES_FD | EVENT_FLAG_BITS.DESTROYS_FD;
/** Event types named in a message, per kind; the rest are counted. */
const NAMES_SHOWN = 6;

let kinds: ReadonlyMap<string, FdKind> | undefined;

function kindOfCode(info: EventInfo): FdKind {
  const flags = EVENT_FLAGS[info.code];
  if ((flags & FD_OF_OWN) !== 0) return 'file';
  if ((flags & EVENT_FLAG_BITS.USES_FD) === 0) return 'none';
  const fds = info.params.filter((param) => param.type === 'FD');
  // libscap's exit fd of unlinkat, mkdirat, symlinkat, ... is their (link)dirfd parameter.
  const onlyDirectory = fds.length > 0 && fds.every((param) => param.name.endsWith('dirfd'));
  return onlyDirectory ? 'directory' : 'file';
}

/**
 * Every `evt.type` name with the most an fd can be on any of its codes (old versions
 * included, so that a name is never judged on fewer codes than a capture may hold). Syscalls
 * without an event of their own arrive as generic events, which carry no fd.
 */
function fdKinds(): ReadonlyMap<string, FdKind> {
  if (kinds !== undefined) return kinds;
  const table = new Map<string, FdKind>();
  for (const name of SYSCALL_NAMES) table.set(name, 'none');
  const named = new Set<string>();
  for (const info of EVENT_TABLE) {
    const kind = kindOfCode(info);
    const previous = named.has(info.name) ? table.get(info.name) : undefined;
    if (previous === undefined || RANK[kind] > RANK[previous]) table.set(info.name, kind);
    named.add(info.name);
  }
  kinds = table;
  return table;
}

/** The first `fd.*` field of a condition in reading order, and every distinct one. */
function fdFields(expr: Expr): { first: Position; names: string[] } | undefined {
  const names: string[] = [];
  let first: Position | undefined;
  const visit = (node: Expr): void => {
    switch (node.kind) {
      case 'and':
      case 'or':
      case 'transformer_list':
        return node.children.forEach(visit);
      case 'not':
        return visit(node.child);
      case 'unary_check':
        return visit(node.left);
      case 'binary_check':
        visit(node.left);
        return visit(node.right);
      case 'field_transformer':
        return node.values.forEach(visit);
      case 'field':
        if (!node.field.startsWith('fd.')) return;
        first ??= node.position;
        if (!names.includes(node.field)) names.push(node.field);
        return;
      default:
    }
  };
  visit(expr);
  return first === undefined ? undefined : { first, names };
}

function listNames(names: string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  const rest = names.length - NAMES_SHOWN;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}

function fdWarningMessage(fields: string[], none: string[], directory: string[]): string {
  const quoted = fields.map((field) => `'${field}'`).join(', ');
  const parts: string[] = [];
  if (none.length > 0)
    parts.push(
      `${listNames(none)} events carry no fd, so every check on an fd.* field is false there (and its negation true)`,
    );
  if (directory.length > 0)
    parts.push(
      `${listNames(directory)} events carry only the directory fd a relative path starts from (none for AT_FDCWD)`,
    );
  return `condition reads ${quoted} but none of the rule's event types has an fd for the file it acts on: ${parts.join('; ')}; read paths from evt.arg.* or fs.path.* fields`;
}

/**
 * The warning for a syscall rule whose `eventTypes` (null when it matches any type) all lack
 * an fd that fd.* fields could describe, placed at the condition's first fd.* field; undefined
 * when the condition reads no fd.* field or any of its event types may have a real fd. Judged
 * on the whole rule: an fd.* check in one `or` branch whose own types lack an fd goes unseen
 * when another branch matches fd events.
 */
export function fdFieldWarning(
  expr: Expr,
  eventTypes: ReadonlySet<string> | null,
): { message: string; position: Position } | undefined {
  if (eventTypes === null || eventTypes.size === 0) return undefined;
  const table = fdKinds();
  const none: string[] = [];
  const directory: string[] = [];
  for (const name of [...eventTypes].sort()) {
    const kind = table.get(name);
    // An unknown name is an error elsewhere; it proves nothing here.
    if (kind === undefined || kind === 'file') return undefined;
    (kind === 'none' ? none : directory).push(name);
  }
  const fields = fdFields(expr);
  if (fields === undefined) return undefined;
  return { message: fdWarningMessage(fields.names, none, directory), position: fields.first };
}
