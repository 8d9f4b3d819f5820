/**
 * Resolves a field name as a rule writes it (`proc.aname[2]`, `evt.arg.fd`,
 * `k8s.pod.label[app]`) to its definition and argument, with libsinsp's rules and messages.
 *
 * A name resolves by exact match first. Otherwise its longest dotted prefix that is a field
 * taking an argument wins, and the rest is the argument (`evt.arg.fd` is `evt.arg` with `fd`).
 * Which argument forms a field accepts follows libs: plugin fields take brackets only; among
 * libsinsp's own fields each family has its own syntax (see `nativeSyntax`).
 */
import type { FieldDefinition, FieldTable } from './types.js';
import { isEventName, longestParameterPrefix } from './syscall-args.js';

/** The outcome of `resolveField`. */
export type FieldResolution<E> =
  | { ok: true; definition: FieldDefinition<E>; argument?: string }
  | {
      ok: false;
      /** libs' wording, e.g. `filter_check called with nonexistent field proc.nobody`. */
      message: string;
      /** Set when no field has this name at all (as opposed to a misused argument). */
      unknown?: boolean;
    };

/** How an argument reached the resolver. */
type ArgumentForm = 'none' | 'bracket' | 'dot';

/** Checks the argument of one of libsinsp's own argument-taking fields. */
type NativeCheck = (form: ArgumentForm, argument: string, full: string) => string | undefined;

/** Sentinel message meaning "libs would not recognise the name at all". */
const NONEXISTENT = '';

/**
 * `sscanf("%d%c")`-style integer check libs applies to numeric arguments: optional leading
 * blanks and sign, then digits only.
 */
function isLibsInteger(text: string): boolean {
  return /^\s*[+-]?\d+$/.test(text);
}

/** Ancestor and argument-index fields: optional `[N]`; a bad index makes the name unknown. */
const bracketIndex: NativeCheck = (form, argument) => {
  if (form === 'none') return undefined;
  return form === 'bracket' && isLibsInteger(argument) ? undefined : NONEXISTENT;
};

/** `proc.env`/`proc.aenv`: optional `[NAME]` or `[N]`. */
const bracketAny: NativeCheck = (form) => (form === 'dot' ? NONEXISTENT : undefined);

const requiredDotted =
  (validate: (argument: string, full: string) => string | undefined): NativeCheck =>
  (form, argument, full) => {
    if (form !== 'dot') return `filter syntax error: ${full}`;
    return validate(argument, full);
  };

/** `evt.arg.NAME` or `evt.arg[N]`; `NAME` must be an event parameter name. */
const eventArgument =
  (allowBracket: boolean): NativeCheck =>
  (form, argument, full) => {
    if (form === 'none') return `filter syntax error: ${full}`;
    if (form === 'bracket') {
      if (!allowBracket) return 'evt.arg fields must be expressed explicitly';
      return isLibsInteger(argument) ? undefined : `${argument} is not a valid number`;
    }
    const parameter = longestParameterPrefix(argument);
    if (parameter === undefined) return `unknown event argument ${argument}`;
    return parameter === argument ? undefined : NONEXISTENT;
  };

/**
 * Argument syntax of libsinsp's own fields that take one, keyed by field name. Messages are
 * the ones libs' `parse_field_name` overrides throw; `NONEXISTENT` stands for the generic
 * unknown-field error libs gives when the parsed length falls short of the name.
 */
const nativeSyntax: ReadonlyMap<string, NativeCheck> = new Map<string, NativeCheck>([
  ['evt.arg', eventArgument(true)],
  ['evt.rawarg', eventArgument(false)],
  [
    'evt.around',
    (form, argument, full) => {
      if (form === 'none') return `filter syntax error: ${full}`;
      if (form === 'dot') return 'wrong syntax for evt.around';
      return /^\s*\+?\d+$/.test(argument) ? undefined : `${argument} is not a valid number`;
    },
  ],
  [
    'evt.type.is',
    requiredDotted((argument) =>
      isLibsInteger(argument) || isEventName(argument) ? undefined : NONEXISTENT,
    ),
  ],
  [
    'evt.abspath',
    (form, argument) =>
      form === 'none' || (form === 'dot' && (argument === 'src' || argument === 'dst'))
        ? undefined
        : NONEXISTENT,
  ],
  [
    'thread.cgroup',
    requiredDotted((argument) => (/^[A-Za-z_]+$/.test(argument) ? undefined : NONEXISTENT)),
  ],
  [
    'fd.types',
    (form, argument) => {
      if (form === 'none') return undefined;
      if (form === 'dot') return NONEXISTENT;
      return isLibsInteger(argument) ? undefined : `${argument} is not a valid number`;
    },
  ],
  ['proc.env', bracketAny],
  ['proc.aenv', bracketAny],
  ...[
    'proc.apid',
    'proc.aname',
    'proc.aexe',
    'proc.aexepath',
    'proc.acmdline',
    'proc.args',
    'proc.aargs',
  ].map((name): [string, NativeCheck] => [name, bracketIndex]),
]);

function nonexistent<E>(full: string): FieldResolution<E> {
  return {
    ok: false,
    message: `filter_check called with nonexistent field ${full}`,
    unknown: true,
  };
}

function resolveNative<E>(
  definition: FieldDefinition<E>,
  form: ArgumentForm,
  argument: string,
  full: string,
): FieldResolution<E> {
  const check = nativeSyntax.get(definition.name);
  if (!check) return form === 'none' ? { ok: true, definition } : nonexistent(full);
  const message = check(form, argument, full);
  if (message === NONEXISTENT) return nonexistent(full);
  if (message !== undefined) return { ok: false, message };
  return form === 'none' ? { ok: true, definition } : { ok: true, definition, argument };
}

/** An index argument as plugins require it: digits only, no leading zero. */
function indexProblem(argument: string): string | undefined {
  let problem: string | undefined;
  if (argument.length === 0 || (argument.length > 1 && argument[0] === '0')) {
    problem = ' has an invalid index argument starting with 0: ';
  }
  if (!/^\d*$/.test(argument))
    problem = ' has an invalid index argument not composed only by digits: ';
  return problem;
}

/** Plugin fields, as libs' `sinsp_filter_check_plugin::parse_field_name` checks them. */
function resolvePlugin<E>(
  definition: FieldDefinition<E>,
  form: ArgumentForm,
  argument: string,
  full: string,
): FieldResolution<E> {
  const name = definition.name;
  if (form === 'dot') {
    return definition.argument === 'required'
      ? { ok: false, message: `filter '${full}': ${name} requires an argument but none provided` }
      : nonexistent(full);
  }
  if (form === 'none') {
    return definition.argument === 'required'
      ? { ok: false, message: `filter '${full}': ${name} requires an argument but none provided` }
      : { ok: true, definition };
  }
  // libs cuts the name at its first blank before reading the brackets.
  const shown = full.includes(' ') ? full.slice(0, full.indexOf(' ')) : full;
  if (argument.includes(' ')) {
    return { ok: false, message: `filter '${shown}': ${name} has unbalanced argument brackets` };
  }
  if (definition.argument === 'none') {
    const message = `filter '${shown}': ${name} does not allow nor require an argument but one is provided: ${argument}`;
    return { ok: false, message };
  }
  const problem = definition.argumentKind === 'index' ? indexProblem(argument) : undefined;
  if (problem !== undefined)
    return { ok: false, message: `filter ${shown} ${name}${problem}${argument}` };
  return { ok: true, definition, argument };
}

/** The longest dotted prefix of `fieldName` that names a field taking an argument. */
function dottedPrefix<E>(table: FieldTable<E>, fieldName: string): FieldDefinition<E> | undefined {
  for (let end = fieldName.lastIndexOf('.'); end > 0; end = fieldName.lastIndexOf('.', end - 1)) {
    const definition = table.fields.get(fieldName.slice(0, end));
    if (definition && definition.argument !== 'none') return definition;
  }
  return undefined;
}

/**
 * Finds the field `fieldName` names in `table`, with its argument: the bracket text
 * (`proc.aname[2]` → `2`) or what follows the field name after a dot (`evt.arg.fd` → `fd`).
 * Returns libs' error message when the name is unknown or its argument is missing, not
 * allowed or malformed. Pure; never throws.
 *
 * @example
 * resolveField(table, 'proc.aname', '2') // { ok: true, definition: proc.aname, argument: '2' }
 */
export function resolveField<E>(
  table: FieldTable<E>,
  fieldName: string,
  bracketArgument?: string,
): FieldResolution<E> {
  const full = bracketArgument === undefined ? fieldName : `${fieldName}[${bracketArgument}]`;
  const exact = table.fields.get(fieldName);
  let definition = exact;
  let form: ArgumentForm = bracketArgument === undefined ? 'none' : 'bracket';
  let argument = bracketArgument ?? '';
  if (!exact) {
    definition = dottedPrefix(table, fieldName);
    // A dotted argument followed by brackets (`evt.arg.fd[1]`) is never a valid name.
    if (!definition || bracketArgument !== undefined) return nonexistent(full);
    form = 'dot';
    argument = fieldName.slice(definition.name.length + 1);
  }
  if (!definition) return nonexistent(full);
  return definition.plugin === undefined
    ? resolveNative(definition, form, argument, full)
    : resolvePlugin(definition, form, argument, full);
}
