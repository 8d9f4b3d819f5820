/**
 * IP addresses and networks as filters compare them. Addresses compare by value, so every
 * address is turned into a canonical key: dotted quad for IPv4, 32 hex digits for IPv6.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4 or IPv6 network: canonical address bits and the prefix length. */
export interface IpNetwork {
  family: 4 | 6;
  /** The address as a bigint (32 or 128 bits). */
  bits: bigint;
  prefixLength: number;
}

/** Canonical comparison key of an address, or undefined when the text is not one. */
export function canonicalAddress(text: string): string | undefined {
  if (isIPv4(text)) return text;
  const bits = ipv6Bits(text);
  return bits === undefined ? undefined : bits.toString(16).padStart(32, '0');
}

/** Address bits for either family, or undefined. */
function addressBits(text: string): { family: 4 | 6; bits: bigint } | undefined {
  if (isIPv4(text)) return { family: 4, bits: ipv4Bits(text) };
  const bits = ipv6Bits(text);
  return bits === undefined ? undefined : { family: 6, bits };
}

function ipv4Bits(text: string): bigint {
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Bits(text: string): bigint | undefined {
  if (!isIPv6(text)) return undefined;
  let body = text;
  const zone = body.indexOf('%');
  if (zone >= 0) body = body.slice(0, zone);
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (isIPv4(tail)) {
    const v4 = ipv4Bits(tail);
    body = `${body.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, rest] = body.split('::');
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = 8 - headGroups.length - restGroups.length;
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array(missing).fill('0'), ...restGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/**
 * Parses `ADDRESS/PREFIX`. Returns a message in libs' words when the text is not a network.
 */
export function parseNetwork(text: string): IpNetwork | string {
  const slash = text.indexOf('/');
  if (slash < 0) return `unrecognized IP network ${text}`;
  const address = addressBits(text.slice(0, slash));
  if (!address) return `unrecognized IP address ${text}`;
  const maskText = text.slice(slash + 1);
  const prefixLength = Number(maskText);
  const limit = address.family === 4 ? 32 : 128;
  if (!/^\d+$/.test(maskText) || prefixLength > limit) return `invalid netmask ${maskText}`;
  return { family: address.family, bits: address.bits, prefixLength };
}

/** Whether the address text lies inside the network. */
export function networkContains(network: IpNetwork, addressText: string): boolean {
  const address = addressBits(addressText);
  if (!address || address.family !== network.family) return false;
  const width = BigInt(network.family === 4 ? 32 : 128);
  const shift = width - BigInt(network.prefixLength);
  return address.bits >> shift === network.bits >> shift;
}
