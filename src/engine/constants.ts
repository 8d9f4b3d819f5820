/**
 * Turns the text of a right-hand value into the typed constant a check compares with,
 * following libsinsp's value parser: integers read like `sscanf("%d")` (decimal only, C
 * wrap-around on overflow), booleans only as `true`/`false`, ports by number or service name,
 * addresses and networks by value.
 */
import { readFileSync } from 'node:fs';
import type { FieldType } from './fields/types.js';
import { canonicalAddress, parseNetwork, type IpNetwork } from './ip.js';

/** A parsed constant; the representation depends on the field type (see `FieldScalar`). */
export type Constant = string | number | bigint | boolean | Uint8Array | IpNetwork;

export type ConstantResult = { ok: true; value: Constant } | { ok: false; message: string };

const integerWidths: Partial<Record<FieldType, { bits: number; signed: boolean }>> = {
  INT8: { bits: 8, signed: true },
  INT16: { bits: 16, signed: true },
  INT32: { bits: 32, signed: true },
  INT64: { bits: 64, signed: true },
  UINT8: { bits: 8, signed: false },
  UINT16: { bits: 16, signed: false },
  UINT32: { bits: 32, signed: false },
  UINT64: { bits: 64, signed: false },
  MODE: { bits: 32, signed: false },
  RELTIME: { bits: 64, signed: false },
  ABSTIME: { bits: 64, signed: false },
};

/** Parses `text` as a constant of `type`. */
export function parseConstant(type: FieldType, text: string): ConstantResult {
  if (text.includes('\0')) {
    return { ok: false, message: 'filter error: filter value cannot contain a NUL byte (\\x00)' };
  }
  const width = integerWidths[type];
  if (width) return parseInteger(text, width.bits, width.signed);
  switch (type) {
    case 'CHARBUF':
    case 'FSPATH':
    case 'DYN':
      return { ok: true, value: text };
    case 'BYTEBUF':
      return { ok: true, value: new TextEncoder().encode(text) };
    case 'BOOL':
      if (text === 'true' || text === 'false') return { ok: true, value: text === 'true' };
      return { ok: false, message: `filter error: unrecognized boolean value ${text}` };
    case 'DOUBLE': {
      // libs reads double constants as 32-bit integers; fractions are rejected.
      const parsed = parseInteger(text, 32, true);
      return parsed.ok ? { ok: true, value: Number(parsed.value) } : parsed;
    }
    case 'PORT':
      return parsePort(text);
    case 'IPV4ADDR':
    case 'IPV6ADDR':
    case 'IPADDR':
      return parseAddress(type, text);
    case 'IPV4NET':
    case 'IPV6NET':
    case 'IPNET': {
      const network = parseNetwork(text);
      return typeof network === 'string'
        ? { ok: false, message: network }
        : { ok: true, value: network };
    }
  }
  return { ok: false, message: `wrong parameter type ${type}` };
}

/** Reads a decimal integer the way `sscanf("%d%c")` accepts it, wrapped to `bits`. */
function parseInteger(text: string, bits: number, signed: boolean): ConstantResult {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  if (!match) return { ok: false, message: `${text} is not a valid number` };
  let value = BigInt(match[2]);
  if (match[1] === '-') value = -value;
  value = signed ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value);
  return { ok: true, value: normalizeInteger(value) };
}

/** Integers within the safe range are plain numbers, so they compare and hash fast. */
export function normalizeInteger(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

function parseAddress(type: FieldType, text: string): ConstantResult {
  const key = canonicalAddress(text);
  const wantsV4 = type === 'IPV4ADDR' || (type === 'IPADDR' && text.includes('.'));
  if (key === undefined || (wantsV4 && !/^\d/.test(text))) {
    const family = wantsV4 ? 'IPv4' : 'IPv6';
    return { ok: false, message: `unrecognized ${family} address ${text}` };
  }
  return { ok: true, value: key };
}

function parsePort(text: string): ConstantResult {
  if (text === '') return { ok: true, value: 0 };
  if (/^\d+$/.test(text)) return { ok: true, value: Number(text) & 0xffff };
  const port = serviceNames().get(text);
  if (port === undefined) return { ok: false, message: `unrecognized protocol ${text}` };
  return { ok: true, value: port };
}

let services: Map<string, number> | undefined;

/** Service names from /etc/services, read once; empty where the file is missing. */
function serviceNames(): Map<string, number> {
  if (services) return services;
  services = new Map();
  let text: string;
  try {
    text = readFileSync('/etc/services', 'utf8');
  } catch {
    return services;
  }
  for (const line of text.split('\n')) {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    const port = /^(\d+)\//.exec(words[1] ?? '');
    if (!port) continue;
    for (const name of [words[0], ...words.slice(2)]) {
      if (name && !services.has(name)) services.set(name, Number(port[1]));
    }
  }
  return services;
}

/** Decodes a hex string for `bcontains`/`bstartswith`; undefined when it is not hex. */
export function parseHexBytes(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  return Uint8Array.from(Buffer.from(text, 'hex'));
}
