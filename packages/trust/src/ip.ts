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

/**
 * Dotted-decimal IPv4. Leading zeros are refused (`010.0.0.1` reads as octal in some stacks):
 * Node reports addresses canonically, and a blocklist entry must be unambiguous.
 */
function parseV4(text: string, from = 0): number | null {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return null;
      part = part * 10 + (c - 48);
      digits += 1;
      if (digits > 3 || part > 255) return null;
    } else if (c === 46 /* . */) {
      if (digits === 0 || dots === 3) return null;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots += 1;
    } else {
      return null;
    }
  }
  if (digits === 0 || dots !== 3) return null;
  return value * 256 + part;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

/** The 8 groups of an IPv6 address (brackets, zone id and an IPv4 tail tolerated), or null. */
function parseV6(input: string): number[] | null {
  let start = 0;
  let end = input.length;
  if (input.charCodeAt(0) === 91 /* [ */ && input.charCodeAt(end - 1) === 93 /* ] */) {
    start = 1;
    end -= 1;
  }
  const zone = input.indexOf('%', start);
  if (zone !== -1 && zone < end) end = zone;
  const groups: number[] = [];
  let gap = -1; // index in `groups` where '::' stands
  let i = start;
  if (input.charCodeAt(i) === 58 /* : */) {
    if (input.charCodeAt(i + 1) !== 58) return null;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    let value = 0;
    let digits = 0;
    const groupStart = i;
    while (i < end) {
      const d = hexDigit(input.charCodeAt(i));
      if (d === -1) break;
      value = value * 16 + d;
      digits += 1;
      i += 1;
    }
    if (i < end && input.charCodeAt(i) === 46 /* . */) {
      // An IPv4 tail: the last two groups.
      const v4 = parseV4(input.slice(groupStart, end));
      if (v4 === null || groups.length > 6) return null;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      break;
    }
    if (digits === 0 || digits > 4) return null;
    groups.push(value);
    if (i === end) break;
    if (input.charCodeAt(i) !== 58) return null;
    i += 1;
    if (input.charCodeAt(i) === 58) {
      if (gap !== -1) return null;
      gap = groups.length;
      i += 1;
    } else if (i === end) {
      return null; // a trailing single ':'
    }
  }
  if (gap === -1) return groups.length === 8 ? groups : null;
  if (groups.length > 7) return null;
  const zeros = new Array<number>(8 - groups.length).fill(0);
  return [...groups.slice(0, gap), ...zeros, ...groups.slice(gap)];
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
  // Dual-stack sockets report IPv4 clients as ::ffff:a.b.c.d; read those without the v6 parser.
  const from = ip.startsWith('::ffff:') ? 7 : 0;
  const v4 = parseV4(ip, from);
  if (v4 !== null) {
    // parseV4 accepted only the canonical spelling, so the network is the text up to the last dot.
    return { family: 4, prefix: `${ip.slice(from, ip.lastIndexOf('.'))}.0/${IPV4_PREFIX_BITS}` };
  }
  const groups = parseV6(ip);
  if (groups === null) return null;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const value = (groups[6] as number) * 65536 + (groups[7] as number);
    return { family: 4, prefix: `${v4Text(value - (value % 256))}/${IPV4_PREFIX_BITS}` };
  }
  return {
    family: 6,
    prefix: `${formatV6Prefix48(groups[0] as number, groups[1] as number, groups[2] as number)}/${IPV6_PREFIX_BITS}`,
  };
}

/**
 * RFC 5952 text of g0:g1:g2:0:0:0:0:0. The five trailing zero groups are always the longest
 * run, so '::' absorbs them together with any zero groups just before them.
 */
function formatV6Prefix48(g0: number, g1: number, g2: number): string {
  if (g2 !== 0) return `${g0.toString(16)}:${g1.toString(16)}:${g2.toString(16)}::`;
  if (g1 !== 0) return `${g0.toString(16)}:${g1.toString(16)}::`;
  if (g0 !== 0) return `${g0.toString(16)}::`;
  return '::';
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
  if (slash === -1)
    return { ok: false, message: `"${text}" needs a prefix length, e.g. 198.51.100.0/24` };
  const addr = text.slice(0, slash);
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText))
    return { ok: false, message: `"${text}" has an invalid prefix length` };
  const bits = Number(lenText);
  const v4 = parseV4(addr);
  if (v4 !== null) {
    if (bits > IPV4_PREFIX_BITS) {
      return {
        ok: false,
        message: `"${text}": IPv4 ranges can be at most /24, events keep only the /24 of the client`,
      };
    }
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((v4 & mask) >>> 0 !== v4) return { ok: false, message: `"${text}" has host bits set` };
    return { ok: true, value: { family: 4, network: v4, mask, text } };
  }
  const groups = parseV6(addr);
  if (groups === null) return { ok: false, message: `"${text}" is not an IP range` };
  if (bits > IPV6_PREFIX_BITS) {
    return {
      ok: false,
      message: `"${text}": IPv6 ranges can be at most /48, events keep only the /48 of the client`,
    };
  }
  for (let bit = bits; bit < 128; bit += 1) {
    const group = groups[Math.floor(bit / 16)] as number;
    if ((group >> (15 - (bit % 16))) & 1)
      return { ok: false, message: `"${text}" has host bits set` };
  }
  return {
    ok: true,
    value: {
      family: 6,
      groups: [groups[0] as number, groups[1] as number, groups[2] as number],
      bits,
      text,
    },
  };
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
    return cidr.family === 4 && (client.network & cidr.mask) >>> 0 === cidr.network;
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
