/**
 * Field transformers: `tolower`, `toupper`, `b64`, `basename`, `len` over one operand, and the
 * multi-value `join`, `concat`, `getopt`. Each checks the type it is given as libsinsp does and
 * returns a new operand, or a message in libsinsp's words.
 */
import type { FieldScalar, FieldType, FieldValue } from './fields/types.js';
import type { Operand } from './operand.js';

type SingleValueTransformer = 'tolower' | 'toupper' | 'b64' | 'basename' | 'len';

const textTypes: FieldType[] = ['CHARBUF', 'FSPATH'];

/** The type a transformer yields for an input type, or undefined when it refuses the input. */
function transformedType(
  transformer: SingleValueTransformer,
  type: FieldType,
  isList: boolean,
): FieldType | undefined {
  switch (transformer) {
    case 'tolower':
    case 'toupper':
    case 'basename':
      return textTypes.includes(type) ? type : undefined;
    case 'b64':
      return type === 'CHARBUF' || type === 'BYTEBUF' ? type : undefined;
    case 'len':
      return isList || textTypes.includes(type) || type === 'BYTEBUF' ? 'UINT64' : undefined;
  }
}

/** Wraps `operand` in a single-value transformer. */
export function applyTransformer<E>(name: string, operand: Operand<E>): Operand<E> | string {
  const transformer = name as SingleValueTransformer;
  if (!operand.allowsTransformer) {
    return `field '${operand.name}' does not support transformers`;
  }
  const type = transformedType(transformer, operand.type, operand.isList);
  if (type === undefined) {
    const list = operand.isList ? 'list ' : '';
    return `can't add field transformer: type '${operand.type}' is not supported by '${name}' transformer applied on ${list}field '${operand.name}'`;
  }
  const read = operand.read;
  if (transformer === 'len') {
    return {
      ...operand,
      type,
      isList: false,
      read: (event) => lengthOf(read(event)),
      candidates: undefined,
    };
  }
  const map = scalarMappers[transformer];
  return {
    ...operand,
    type,
    candidates: undefined,
    read: (event) => {
      const value = read(event);
      if (value === undefined) return undefined;
      if (!Array.isArray(value)) return map(value);
      const mapped: FieldScalar[] = [];
      for (const item of value) {
        const result = map(item);
        if (result === undefined) return undefined;
        mapped.push(result);
      }
      return mapped;
    },
  };
}

const scalarMappers: Record<
  Exclude<SingleValueTransformer, 'len'>,
  (value: FieldScalar) => FieldScalar | undefined
> = {
  tolower: (value) => asciiCase(String(value), false),
  toupper: (value) => asciiCase(String(value), true),
  basename: (value) => {
    const text = String(value);
    return text.slice(text.lastIndexOf('/') + 1);
  },
  b64: (value) => decodeBase64(value),
};

/** C's tolower/toupper touch only ASCII letters; so does this. */
function asciiCase(text: string, upper: boolean): string {
  return upper
    ? text.replace(/[a-z]+/g, (run) => run.toUpperCase())
    : text.replace(/[A-Z]+/g, (run) => run.toLowerCase());
}

const base64Text = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (padding optional); undefined for anything else, so extraction fails. */
function decodeBase64(value: FieldScalar): FieldScalar | undefined {
  const isBytes = value instanceof Uint8Array;
  const text = isBytes ? Buffer.from(value).toString('latin1') : String(value);
  const body = text.replace(/=+$/, '');
  if (!base64Text.test(text) || body.length % 4 === 1) return undefined;
  const decoded = Buffer.from(body, 'base64');
  return isBytes ? new Uint8Array(decoded) : decoded.toString('latin1');
}

/** `len()`: element count of a list, byte length of a string or buffer. */
function lengthOf(value: FieldValue | undefined): FieldValue | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Uint8Array) return value.length;
  return Buffer.byteLength(String(value));
}

/** Builds `join`, `concat` or `getopt` over already compiled argument operands. */
export function applyMultiValueTransformer<E>(
  name: string,
  args: Operand<E>[],
  argument: string | undefined,
): Operand<E> | string {
  const base = { allowsFieldComparison: true, allowsTransformer: true, name: `${name}()` };
  if (name === 'join') return buildJoin(args, argument, base);
  if (name === 'concat') return buildConcat(args, argument, base);
  return buildGetopt(args, argument, base);
}

type OperandBase = { allowsFieldComparison: boolean; allowsTransformer: boolean; name: string };

function buildJoin<E>(
  args: Operand<E>[],
  argument: string | undefined,
  base: OperandBase,
): Operand<E> | string {
  if (argument !== undefined) return "transformer 'join' does not support field arguments";
  if (args.length !== 2) return 'join() requires exactly 2 arguments: separator and list';
  const [separator, list] = args;
  if (separator.isList)
    return 'join() first argument (separator) must be a single value, not a list';
  if (!list.isList) return 'join() second argument must be a list';
  return {
    ...base,
    type: 'CHARBUF',
    isList: false,
    read: (event) => {
      const glue = separator.read(event);
      const items = list.read(event);
      if (glue === undefined || items === undefined) return undefined;
      return (Array.isArray(items) ? items : [items]).map(String).join(String(glue));
    },
  };
}

function buildConcat<E>(
  args: Operand<E>[],
  argument: string | undefined,
  base: OperandBase,
): Operand<E> | string {
  if (argument !== undefined) return "transformer 'concat' does not support field arguments";
  if (args.length < 2) return 'concat() requires at least 2 arguments';
  if (args.some((arg) => arg.type !== 'CHARBUF' || arg.isList))
    return 'concat() arguments must be strings';
  return {
    ...base,
    type: 'CHARBUF',
    isList: false,
    read: (event) => {
      let result = '';
      for (const arg of args) {
        const value = arg.read(event);
        if (value === undefined) return undefined;
        result += String(Array.isArray(value) ? value[0] : value);
      }
      return result;
    },
  };
}

function buildGetopt<E>(
  args: Operand<E>[],
  argument: string | undefined,
  base: OperandBase,
): Operand<E> | string {
  if (args.length !== 2) return 'getopt() requires exactly 2 arguments: args list and optstring';
  const [argv, optstring] = args;
  if (!argv.isList) return 'getopt() first argument must be a list';
  if (optstring.isList) return 'getopt() second argument (optstring) must be a single value';
  if (argv.type !== 'CHARBUF' || optstring.type !== 'CHARBUF')
    return 'getopt() arguments must be strings';
  if (argument !== undefined && argument.length !== 1) {
    return 'getopt() field argument must be a single option character';
  }
  return {
    ...base,
    type: 'CHARBUF',
    isList: argument === undefined,
    read: (event) => {
      const options = optstring.read(event);
      const values = argv.read(event);
      if (options === undefined || values === undefined) return undefined;
      const list = (Array.isArray(values) ? values : [values]).map(String);
      return scanOptions(list, String(Array.isArray(options) ? options[0] : options), argument);
    },
  };
}

/**
 * Walks argv as getopt(3) would. Without a selector: the option letters found, each followed
 * by its value if it takes one, and `?` for unknown letters. With a selector: the value of the
 * last occurrence of that option (its letter if it takes no value), or undefined if absent.
 */
function scanOptions(
  argv: string[],
  optstring: string,
  selector: string | undefined,
): FieldValue | undefined {
  const takesValue = new Map<string, boolean>();
  for (let i = optstring.startsWith(':') ? 1 : 0; i < optstring.length; i++) {
    if (optstring[i] === ':') continue;
    const hasValue = optstring[i + 1] === ':';
    takesValue.set(optstring[i], hasValue);
    if (hasValue) i++;
  }
  const results: string[] = [];
  let selected: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index];
    if (word === '--') break;
    if (word.length > 2 && word.startsWith('--')) continue;
    if (word.length < 2 || word[0] !== '-') break;
    for (let i = 1; i < word.length; i++) {
      const letter = word[i];
      const hasValue = takesValue.get(letter);
      if (hasValue === undefined) {
        if (selector === undefined) results.push('?');
        continue;
      }
      const wanted = selector === undefined || selector === letter;
      if (!hasValue) {
        if (wanted && selector === undefined) results.push(letter);
        else if (wanted) selected = letter;
        continue;
      }
      let value: string | undefined = word.slice(i + 1);
      if (value === '') value = index + 1 < argv.length ? argv[++index] : undefined;
      if (wanted) {
        if (selector !== undefined) selected = value ?? '';
        else results.push(...(value === undefined ? [''] : [letter, value]));
      }
      break;
    }
  }
  if (selector !== undefined) return selected;
  return results;
}
