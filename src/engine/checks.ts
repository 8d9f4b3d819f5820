/**
 * Builds the predicate of one check (`left OPERATOR right`) from a compiled left operand and
 * either constants or a right-hand operand, with libsinsp's semantics: a value that cannot be
 * extracted makes every check but `exists` false, list fields support only `in`/`intersects`,
 * modifiers count matches over the right-hand list.
 */
import RE2 from 're2';
import type { FieldScalar, FieldType, FieldValue } from './fields/types.js';
import type { Operand } from './operand.js';
import { type Constant, normalizeInteger } from './constants.js';
import { canonicalAddress, networkContains, type IpNetwork } from './ip.js';
import {
  type Comparator,
  compareScalars,
  compareValues,
  isAddressType,
  isNetworkType,
} from './operators.js';
import { globMatch } from './glob.js';

export type Predicate<E> = (event: E) => boolean;
type ScalarTest = (value: FieldScalar) => boolean;

/** `exists`: true when the value can be extracted. */
export function buildExistsCheck<E>(left: Operand<E>): Predicate<E> {
  const read = left.read;
  return (event) => read(event) !== undefined;
}

/** A check against constant right-hand values (already parsed for the left type). */
export function buildConstantCheck<E>(
  left: Operand<E>,
  comparator: Comparator,
  constants: Constant[],
  regexes: RE2[],
): Predicate<E> {
  if (left.isList) return buildListCheck(left, comparator, constants);
  if (left.candidates === undefined) {
    const direct = directCheck(left.read, left.type, comparator, constants);
    if (direct !== undefined) return direct;
  }
  const test = scalarTest(left.type, comparator, constants, regexes);
  const isNotEqual = comparator.operator === '!=' && comparator.modifier === undefined;
  const everyCandidate = isNotEqual && left.definition?.notEqualOnEveryCandidate === true;
  return applyToOperand(left, test, everyCandidate);
}

/**
 * Runs a scalar test on the extracted value, or on the candidates of an any-of field: one
 * candidate passing is enough, unless `everyCandidate` (`!=` on both ends of a socket).
 */
function applyToOperand<E>(
  left: Operand<E>,
  test: ScalarTest,
  everyCandidate: boolean,
): Predicate<E> {
  const candidates = left.candidates;
  if (candidates) {
    return (event) => {
      const values = candidates(event);
      if (values === undefined) return false;
      if (!Array.isArray(values)) return test(values);
      return everyCandidate ? values.length > 0 && values.every(test) : values.some(test);
    };
  }
  const read = left.read;
  return (event) => {
    const value = read(event);
    if (value === undefined) return false;
    return Array.isArray(value) ? value.length === 1 && test(value[0]) : test(value);
  };
}

/** What `scalarOf` gives for a value no scalar test can hold on. */
const NO_SCALAR = Symbol('no scalar');

/** The value a scalar test looks at: the value, or a list's only element (as `applyToOperand`). */
function scalarOf(value: FieldValue | undefined): FieldScalar | typeof NO_SCALAR {
  if (value === undefined) return NO_SCALAR;
  if (!Array.isArray(value)) return value;
  return value.length === 1 ? value[0] : NO_SCALAR;
}

/**
 * The commonest checks of plain fields with their test written in, as `applyToOperand` and
 * `scalarTest` would judge them: the test is not a second closure to call, and each operator
 * has its own code, so the engine can inline it. Undefined for the other checks.
 */
function directCheck<E>(
  read: Operand<E>['read'],
  type: FieldType,
  comparator: Comparator,
  constants: Constant[],
): Predicate<E> | undefined {
  const { operator } = comparator;
  if (comparator.modifier !== undefined || isAddressType(type)) return undefined;
  if (operator === 'in' || operator === 'intersects') {
    const members = new Set(
      constants.map((constant) => memberKey(type, constant as FieldScalar, true)),
    );
    return (event) => {
      const value = scalarOf(read(event));
      if (value === NO_SCALAR) return false;
      return members.has(typeof value === 'string' ? value : memberKey(type, value, false));
    };
  }
  if (type === 'CHARBUF' || type === 'FSPATH') return directStringCheck(read, operator, constants);
  if (operator === 'pmatch' || operator === 'regex') return undefined;
  const constant = constants[0];
  return (event) => {
    const value = scalarOf(read(event));
    return value !== NO_SCALAR && compareScalars(operator, value, constant);
  };
}

function directStringCheck<E>(
  read: Operand<E>['read'],
  operator: Comparator['operator'],
  constants: Constant[],
): Predicate<E> | undefined {
  const constant = String(constants[0]);
  switch (operator) {
    case '=':
      return (event) => scalarOf(read(event)) === constant;
    case '!=':
      return (event) => {
        const value = scalarOf(read(event));
        return value !== NO_SCALAR && value !== constant;
      };
    case 'contains':
      return (event) => {
        const value = scalarOf(read(event));
        return value !== NO_SCALAR && (value as string).includes(constant);
      };
    case 'startswith':
      return (event) => {
        const value = scalarOf(read(event));
        return value !== NO_SCALAR && (value as string).startsWith(constant);
      };
    case 'endswith':
      return (event) => {
        const value = scalarOf(read(event));
        return value !== NO_SCALAR && (value as string).endsWith(constant);
      };
  }
  return undefined;
}

function scalarTest(
  type: FieldType,
  comparator: Comparator,
  constants: Constant[],
  regexes: RE2[],
): ScalarTest {
  const { operator, modifier } = comparator;
  if (modifier) return modifierTest(type, comparator, constants, regexes);
  if (operator === 'in' || operator === 'intersects') return membershipTest(type, constants);
  if (operator === 'pmatch') return pathPrefixTest(constants.map(String));
  if (operator === 'regex') {
    const regex = regexes[0];
    return (value) => regex.test(String(value));
  }
  const constant = constants[0];
  if (type === 'CHARBUF' || type === 'FSPATH') return stringTest(operator, String(constant));
  if (!isAddressType(type)) return (value) => compareScalars(operator, value, constant);
  return (value) => compareValues(operator, type, value, constant);
}

/** Fast paths for the string checks that most rules are made of. */
function stringTest(operator: Comparator['operator'], constant: string): ScalarTest {
  switch (operator) {
    case '=':
      return (value) => value === constant;
    case '!=':
      return (value) => value !== constant;
    case 'contains':
      return (value) => (value as string).includes(constant);
    case 'startswith':
      return (value) => (value as string).startsWith(constant);
    case 'endswith':
      return (value) => (value as string).endsWith(constant);
    case 'glob':
      return (value) => globMatch(constant, value as string);
  }
  return (value) => compareValues(operator, 'CHARBUF', value, constant);
}

/** `oneof`: exactly one right-hand value matches; `anyof`: at least one; `allof`: all. */
function modifierTest(
  type: FieldType,
  comparator: Comparator,
  constants: Constant[],
  regexes: RE2[],
): ScalarTest {
  const operator = comparator.operator;
  const tests: ScalarTest[] =
    operator === 'regex'
      ? regexes.map((regex) => (value: FieldScalar) => regex.test(String(value)))
      : constants.map(
          (constant) => (value: FieldScalar) => compareValues(operator, type, value, constant),
        );
  if (tests.length === 0) return () => false;
  switch (comparator.modifier) {
    case 'oneof':
      return (value) => {
        let matches = 0;
        for (const test of tests) if (test(value) && ++matches > 1) return false;
        return matches === 1;
      };
    case 'anyof':
      return (value) => tests.some((test) => test(value));
  }
  return (value) => tests.every((test) => test(value));
}

/** Set membership, by value: numbers by magnitude, addresses canonically, bytes by content. */
function membershipTest(type: FieldType, constants: Constant[]): ScalarTest {
  if (isNetworkType(type)) {
    const networks = constants as IpNetwork[];
    return (value) => networks.some((network) => networkContains(network, String(value)));
  }
  const members = new Set(
    constants.map((constant) => memberKey(type, constant as FieldScalar, true)),
  );
  // Strings other than addresses are their own key: the common case skips memberKey's checks.
  const plainStrings = !isAddressType(type);
  return (value) =>
    members.has(plainStrings && typeof value === 'string' ? value : memberKey(type, value, false));
}

/** The key under which a value is looked up in a membership set. */
function memberKey(type: FieldType, value: FieldScalar, isConstant: boolean): unknown {
  if (typeof value === 'bigint') return normalizeInteger(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (!isConstant && isAddressType(type)) return canonicalAddress(String(value));
  return value;
}

/** List fields: `in` holds when every element is a member, `intersects` when one is. */
function buildListCheck<E>(
  left: Operand<E>,
  comparator: Comparator,
  constants: Constant[],
): Predicate<E> {
  const member = membershipTest(left.type, constants);
  const read = left.read;
  const every = comparator.operator === 'in';
  return (event) => {
    const value = read(event);
    if (value === undefined) return false;
    const values = Array.isArray(value) ? value : [value];
    return every ? values.every(member) : values.some(member);
  };
}

/**
 * `pmatch`: the value is one of the paths or lies below one, comparing whole path
 * components; a component of a right-hand path may be a glob.
 */
function pathPrefixTest(paths: string[]): ScalarTest {
  const prefixes = paths.map(splitPath);
  return (value) => {
    const components = splitPath(String(value));
    return prefixes.some(
      (prefix) =>
        prefix.length <= components.length &&
        prefix.every((part, i) =>
          /[?*[]/.test(part) ? globMatch(part, components[i]) : part === components[i],
        ),
    );
  };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part !== '');
}

/** A check whose right side is another field (`val(...)` or a transformer). */
export function buildFieldCheck<E>(
  left: Operand<E>,
  comparator: Comparator,
  right: Operand<E>,
): Predicate<E> {
  const readLeft = left.read;
  const readRight = right.read;
  const { operator } = comparator;
  const type = left.type;
  const setOperator = operator === 'in' || operator === 'intersects';
  return (event) => {
    const leftValue = readLeft(event);
    if (leftValue === undefined) return false;
    const rightValue = readRight(event);
    if (rightValue === undefined) return false;
    const rightValues = (Array.isArray(rightValue) ? rightValue : [rightValue]).map((value) =>
      asConstant(type, value),
    );
    if (setOperator) return compareWithSet(type, operator, leftValue, rightValues);
    if (Array.isArray(leftValue) || rightValues.length !== 1) return false;
    return compareValues(operator, type, leftValue, rightValues[0]);
  };
}

function compareWithSet(
  type: FieldType,
  operator: string,
  leftValue: FieldValue,
  rightValues: Constant[],
): boolean {
  const test = membershipTest(type, rightValues);
  if (!Array.isArray(leftValue)) return test(leftValue);
  return operator === 'in' ? leftValue.every(test) : leftValue.some(test);
}

/** A value extracted on the right turned into the form constants take. */
function asConstant(type: FieldType, value: FieldScalar): Constant {
  if (isAddressType(type) && !isNetworkType(type))
    return canonicalAddress(String(value)) ?? String(value);
  return value;
}
