/**
 * Client address handling. Events never keep an address, only its network: the /24 of an IPv4
 * address, the /48 of an IPv6 one (what an ISP typically hands one customer site). That is also
 * why blocklist ranges may not be narrower than /24 and /48: a narrower range could only be
 * matched against the full address, which re-scoring later will not have.
 */

export const IPV4_PREFIX_BITS = 24;
export const IPV6_PREFIX_BITS = 48;

export interface IpPrefix {
  family: 4 | 6;
  prefix: string;
}

/** A parsed blocklist range, ready for matching against stored prefixes. */
export type CompiledCidr =
  | { family: 4; network: number; mask: number; text: string }
  | { family: 6; groups: [number, number, number]; bits: number; text: string };

function parseV4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const n = Number(part);
    if (n > 255) return null;
    value = value * 256 + n;
  }
  return value;
}

/** The 8 groups of an IPv6 address (brackets and zone id tolerated), or null. */
function parseV6(text: string): number[] | null {
  let t = text;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const zone = t.indexOf('%');
  if (zone !== -1) t = t.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(t)) return null;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const lastColon = t.lastIndexOf(':');
  const tail = t.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseV4(tail);
    if (v4 === null) return null;
    t = `${t.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : (halves[0] as string).split(':');
  const rest = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] as string).split(':')) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups: number[] = [];
  for (const g of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    groups.push(parseInt(g, 16));
  }
  return groups;
}

/** RFC 5952 text of an IPv6 address given as 8 groups. */
function formatV6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

function v4Text(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/**
 * The network an address belongs to, as stored in Signals. IPv4-mapped IPv6 addresses
 * (`::ffff:1.2.3.4`, which Node reports on dual-stack sockets) count as IPv4.
 *
 * @example
 * ipPrefix('203.0.113.77'); // { family: 4, prefix: '203.0.113.0/24' }
 * ipPrefix('::ffff:203.0.113.77'); // { family: 4, prefix: '203.0.113.0/24' }
 * ipPrefix('2001:db8:abcd:12::1'); // { family: 6, prefix: '2001:db8:abcd::/48' }
 */
export function ipPrefix(ip: string): IpPrefix | null {
  const v4 = parseV4(ip);
  if (v4 !== null) return { family: 4, prefix: `${v4Text(v4 - (v4 % 256))}/${IPV4_PREFIX_BITS}` };
  const groups = parseV6(ip);
  if (groups === null) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const value = (groups[6] as number) * 65536 + (groups[7] as number);
    return { family: 4, prefix: `${v4Text(value - (value % 256))}/${IPV4_PREFIX_BITS}` };
  }
  return { family: 6, prefix: `${formatV6([groups[0] as number, groups[1] as number, groups[2] as number, 0, 0, 0, 0, 0])}/${IPV6_PREFIX_BITS}` };
}

export type CidrParse = { ok: true; value: CompiledCidr } | { ok: false; message: string };

/**
 * Parses a blocklist range. Host bits must be zero and the prefix no longer than /24 (IPv4) or
 * /48 (IPv6), since stored events only know the client's network.
 *
 * @example
 * parseCidr('198.51.100.0/24'); // ok
 * parseCidr('198.51.100.7/32'); // not ok: narrower than /24
 */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf('/');
  if (slash === -1) return { ok: false, message: `"${text}" needs a prefix length, e.g. 198.51.100.0/24` };
  const addr = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return { ok: false, message: `"${text}" has an invalid prefix length` };
  const bits = Number(lenText);
  const v4 = parseV4(addr);
  if (v4 !== null) {
    if (bits > IPV4_PREFIX_BITS) {
      return { ok: false, message: `"${text}": IPv4 ranges can be at most /24, events keep only the /24 of the client` };
    }
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((v4 & mask) >>> 0) !== v4) return { ok: false, message: `"${text}" has host bits set` };
    return { ok: true, value: { family: 4, network: v4, mask, text } };
  }
  const groups = parseV6(addr);
  if (groups === null) return { ok: false, message: `"${text}" is not an IP range` };
  if (bits > IPV6_PREFIX_BITS) {
    return { ok: false, message: `"${text}": IPv6 ranges can be at most /48, events keep only the /48 of the client` };
  }
  for (let bit = bits; bit < 128; bit += 1) {
    const group = groups[Math.floor(bit / 16)] as number;
    if ((group >> (15 - (bit % 16))) & 1) return { ok: false, message: `"${text}" has host bits set` };
  }
  return { ok: true, value: { family: 6, groups: [groups[0] as number, groups[1] as number, groups[2] as number], bits, text } };
}

/** A stored prefix, parsed once per scoring call that has IP ranges to check. */
export type ParsedPrefix = { family: 4; network: number } | { family: 6; groups: number[] };

export function parseStoredPrefix(prefix: string): ParsedPrefix | null {
  const slash = prefix.indexOf('/');
  const addr = slash === -1 ? prefix : prefix.slice(0, slash);
  const v4 = parseV4(addr);
  if (v4 !== null) return { family: 4, network: v4 };
  const groups = parseV6(addr);
  return groups === null ? null : { family: 6, groups };
}

/** Whether the stored client network lies inside a blocked range. */
export function prefixInCidr(client: ParsedPrefix, cidr: CompiledCidr): boolean {
  if (client.family === 4) {
    return cidr.family === 4 && ((client.network & cidr.mask) >>> 0) === cidr.network;
  }
  if (cidr.family !== 6) return false;
  for (let i = 0; i < 3; i += 1) {
    const groupBits = Math.min(16, Math.max(0, cidr.bits - i * 16));
    if (groupBits === 0) return true;
    const mask = (0xffff << (16 - groupBits)) & 0xffff;
    if (((client.groups[i] as number) & mask) !== cidr.groups[i]) return false;
  }
  return true;
}
