/**
 * The comparison operators: which field types each accepts (libsinsp's rules and messages),
 * and how two values of one type compare.
 */
import type { FieldScalar, FieldType } from './fields/types.js';
import type { Constant } from './constants.js';
import { canonicalAddress, networkContains, type IpNetwork } from './ip.js';
import { globMatch } from './glob.js';

export type BaseOperator =
  | 'exists'
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'contains'
  | 'icontains'
  | 'bcontains'
  | 'startswith'
  | 'bstartswith'
  | 'endswith'
  | 'glob'
  | 'iglob'
  | 'regex'
  | 'in'
  | 'intersects'
  | 'pmatch';

type Modifier = 'oneof' | 'anyof' | 'allof';

export interface Comparator {
  operator: BaseOperator;
  modifier?: Modifier;
}

/** Splits operator text such as `==`, `startswith oneof` into operator and modifier. */
export function parseOperator(text: string): Comparator | undefined {
  const [name, modifier] = text.split(' ');
  const operator = (name === '==' ? '=' : name) as BaseOperator;
  if (!operatorNames.has(operator)) return undefined;
  if (modifier !== undefined && !['oneof', 'anyof', 'allof'].includes(modifier)) return undefined;
  return { operator, modifier: modifier as Modifier | undefined };
}

const operatorNames = new Set<string>([
  'exists',
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'icontains',
  'bcontains',
  'startswith',
  'bstartswith',
  'endswith',
  'glob',
  'iglob',
  'regex',
  'in',
  'intersects',
  'pmatch',
]);

const numericOperators = new Set<BaseOperator>([
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'in',
  'intersects',
  'exists',
]);
const boolOperators = new Set<BaseOperator>(['=', '!=', 'in', 'intersects', 'exists']);
const stringOperators = new Set<BaseOperator>([
  '=',
  '!=',
  '<',
  '<=',
  '>',
  '>=',
  'contains',
  'in',
  'exists',
  'icontains',
  'startswith',
  'glob',
  'pmatch',
  'endswith',
  'intersects',
  'iglob',
  'regex',
]);
const bufferOperators = new Set<BaseOperator>([
  '=',
  '!=',
  'contains',
  'in',
  'exists',
  'startswith',
  'endswith',
  'intersects',
  'bcontains',
  'bstartswith',
]);
const addressOperators = new Set<BaseOperator>(['=', '!=', 'in', 'exists', 'intersects']);
const listOperators = new Set<BaseOperator>(['in', 'exists', 'intersects']);

function isNumericType(type: FieldType): boolean {
  return /^(U?INT\d+|RELTIME|ABSTIME|PORT|DOUBLE|MODE)$/.test(type);
}

function isStringType(type: FieldType): boolean {
  return type === 'CHARBUF' || type === 'FSPATH';
}

/** Address and network types; a set, as checks ask per value and a regex costs more. */
const ADDRESS_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'IPADDR', 'IPV4ADDR', 'IPV6ADDR', 'IPNET', 'IPV4NET', 'IPV6NET',
]); // prettier-ignore

export function isAddressType(type: FieldType): boolean {
  return ADDRESS_TYPES.has(type);
}

export function isNetworkType(type: FieldType): boolean {
  return type === 'IPNET' || type === 'IPV4NET' || type === 'IPV6NET';
}

/**
 * Whether `comparator` may be applied to a field of `type`; returns undefined when it may,
 * else libs' message.
 */
export function comparabilityError(
  comparator: Comparator,
  type: FieldType,
  isList: boolean,
): string | undefined {
  const { operator } = comparator;
  if (operator === 'exists') return undefined;
  const name = operator;
  if (isList) {
    if (!['CHARBUF', 'UINT64', 'RELTIME', 'ABSTIME', 'BOOL', 'IPADDR', 'IPNET'].includes(type)) {
      return `list filters are not supported for type '${type}'`;
    }
    return listOperators.has(operator)
      ? undefined
      : `'${name}' operator not supported list filters`;
  }
  if (isNumericType(type)) {
    return numericOperators.has(operator)
      ? undefined
      : `'${name}' operator not supported for numeric filters`;
  }
  if (type === 'BOOL') {
    return boolOperators.has(operator)
      ? undefined
      : `'${name}' operator not supported for numeric filters`;
  }
  if (isAddressType(type)) {
    if (!addressOperators.has(operator)) {
      const what = comparator.modifier ? 'with modifier' : 'operator';
      return `'${name}' ${what} not supported for ip address and network filters`;
    }
    return undefined;
  }
  if (isStringType(type)) {
    return stringOperators.has(operator)
      ? undefined
      : `'${name}' operator not supported for string filters`;
  }
  if (type === 'BYTEBUF') {
    return bufferOperators.has(operator)
      ? undefined
      : `'${name}' operator not supported for buffer filters`;
  }
  return `'${name}' operator not supported for type '${type}'`;
}

/**
 * Compares an extracted value with a constant (or a value extracted by a right-hand field)
 * using one base operator. Set and path operators (`in`, `intersects`, `pmatch`) and `regex`
 * are handled by the check builder; here they mean equality.
 */
export function compareValues(
  operator: BaseOperator,
  type: FieldType,
  left: FieldScalar,
  right: Constant,
): boolean {
  if (isAddressType(type)) return compareAddress(operator, type, left, right);
  return compareScalars(operator, left, right);
}

/** `compareValues` for types other than addresses and networks. */
export function compareScalars(
  operator: BaseOperator,
  left: FieldScalar,
  right: Constant,
): boolean {
  if (left instanceof Uint8Array) return compareBytes(operator, left, right as Uint8Array);
  switch (operator) {
    case '=':
    case 'in':
    case 'intersects':
    case 'pmatch':
      return left == right;
    case '!=':
      return left != right;
    case '<':
      return (left as number) < (right as number);
    case '<=':
      return (left as number) <= (right as number);
    case '>':
      return (left as number) > (right as number);
    case '>=':
      return (left as number) >= (right as number);
  }
  return compareText(operator, String(left), String(right));
}

function compareText(operator: BaseOperator, left: string, right: string): boolean {
  switch (operator) {
    case 'contains':
      return left.includes(right);
    case 'icontains':
      return left.toLowerCase().includes(right.toLowerCase());
    case 'startswith':
      return left.startsWith(right);
    case 'endswith':
      return left.endsWith(right);
    case 'glob':
      return globMatch(right, left);
    case 'iglob':
      return globMatch(right, left, true);
  }
  return false;
}

function compareBytes(operator: BaseOperator, left: Uint8Array, right: Uint8Array): boolean {
  const leftBuffer = Buffer.from(left.buffer, left.byteOffset, left.byteLength);
  switch (operator) {
    case '=':
    case 'in':
    case 'intersects':
      return leftBuffer.equals(right);
    case '!=':
      return !leftBuffer.equals(right);
    case 'contains':
    case 'bcontains':
      return leftBuffer.indexOf(right) >= 0;
    case 'startswith':
    case 'bstartswith':
      return right.length <= left.length && leftBuffer.subarray(0, right.length).equals(right);
    case 'endswith':
      return (
        right.length <= left.length && leftBuffer.subarray(left.length - right.length).equals(right)
      );
  }
  return false;
}

function compareAddress(
  operator: BaseOperator,
  type: FieldType,
  left: FieldScalar,
  right: Constant,
): boolean {
  const equal = isNetworkType(type)
    ? typeof right === 'object' &&
      !(right instanceof Uint8Array) &&
      networkContains(right as IpNetwork, String(left))
    : canonicalAddress(String(left)) === right;
  return operator === '!=' ? !equal : equal;
}
