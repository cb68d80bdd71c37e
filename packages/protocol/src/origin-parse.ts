/**
 * One origin, as it arrives in an `Origin` header or is typed by a person: parsed, checked and
 * serialised the way browsers do (lowercase scheme and host, IDN hosts in punycode, no default
 * port). The allowlist patterns built on it are in origins.ts.
 *
 * Pure: no I/O, no dependency beyond the WHATWG `URL` that Node and browsers ship.
 */

/** A parsed, normalised origin: `scheme` without the colon, `port` '' for the default port. */
export interface ParsedOrigin {
  scheme: 'http' | 'https';
  host: string;
  port: string;
  /** The input was already the canonical serialisation, as browsers send it. */
  canonical: boolean;
}

/** Longest origin (or allowlist pattern) read at all; longer input is refused unread. */
export const MAX_ORIGIN_LENGTH = 300;

/** Four decimal parts 0-255 without leading zeros: the one IPv4 spelling URL leaves unchanged. */
function isCanonicalIpv4(host: string): boolean {
  const parts = host.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function defaultPort(scheme: string): string {
  return scheme === 'https' ? '443' : '80';
}

/**
 * Whether a normalised host is a loopback name or address.
 *
 * @example
 * isLoopbackHost('localhost'); // true
 * isLoopbackHost('app.localhost'); // true
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('localhost.example.com'); // false
 */
export function isLoopbackHost(host: string): boolean {
  const c = host.charCodeAt(0);
  if (c === 49 /* 1 */) return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
  if (c === 91 /* [ */) return host === '[::1]';
  return host === 'localhost' || host.endsWith('.localhost');
}

export function serializeOrigin(origin: ParsedOrigin): string {
  return `${origin.scheme}://${origin.host}${origin.port === '' ? '' : `:${origin.port}`}`;
}

/**
 * The fast path: the input is already a canonical serialized origin (what browsers send). A
 * hand-written scan rather than a regex, because it runs several times for every beacon.
 */
function parseCanonical(input: string): ParsedOrigin | null {
  let i: number;
  if (input.startsWith('https://')) i = 8;
  else if (input.startsWith('http://')) i = 7;
  else return null;
  const scheme = i === 8 ? 'https' : 'http';
  const hostStart = i;
  let labelLength = 0;
  let lastLabel = i;
  for (; i < input.length; i += 1) {
    const c = input.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 /* - */ || c === 95 /* _ */) {
      labelLength += 1;
    } else if (c === 46 /* . */) {
      if (labelLength === 0) return null;
      labelLength = 0;
      lastLabel = i + 1;
    } else {
      break;
    }
  }
  if (labelLength === 0) return null; // no host, an empty label or a trailing dot
  const hostEnd = i;
  let port = '';
  if (i < input.length) {
    if (input.charCodeAt(i) !== 58 /* : */) return null;
    const digits = input.length - i - 1;
    if (digits < 1 || digits > 5 || input.charCodeAt(i + 1) === 48 /* leading 0 */) return null;
    for (let j = i + 1; j < input.length; j += 1) {
      const c = input.charCodeAt(j);
      if (c < 48 || c > 57) return null;
    }
    port = input.slice(i + 1);
    if (port === defaultPort(scheme) || Number(port) > 65535) return null;
  }
  const host = input.slice(hostStart, hostEnd);
  // Top-level labels never start with a digit, so this only sends IPv4 spellings (0x7f.1,
  // 010.0.0.1, 2130706433) to the slow path, where WHATWG URL rewrites them.
  const first = input.charCodeAt(lastLabel);
  if (first >= 48 && first <= 57 && !isCanonicalIpv4(host)) return null;
  return { scheme, host, port, canonical: true };
}

/** Host and port through WHATWG URL (IDN to punycode, lowercase, IPv4/IPv6 normalisation). */
export function parseAuthority(scheme: 'http' | 'https', authority: string): ParsedOrigin | null {
  let url: URL;
  try {
    url = new URL(`${scheme}://${authority}/`);
  } catch {
    return null;
  }
  if (url.username !== '' || url.password !== '' || url.hostname === '') return null;
  return { scheme, host: url.hostname, port: url.port, canonical: false };
}

/**
 * Parses an origin as it may arrive in an `Origin` header or be typed by a person, and returns
 * its normalised form, or `null` when it is not an http(s) origin (a path, a query, userinfo,
 * the opaque origin `null`, garbage). Browsers always send the canonical form; this accepts
 * other spellings so that callers can tell "not an origin" from "not the canonical spelling".
 *
 * @example
 * parseOrigin('HTTPS://Shop.Example.com:443'); // { scheme: 'https', host: 'shop.example.com', port: '', canonical: false }
 * parseOrigin('https://shop.example.com/cart'); // null
 * parseOrigin('null'); // null
 */
export function parseOrigin(input: string): ParsedOrigin | null {
  const fast = parseCanonical(input);
  if (fast !== null) return fast;
  if (input.length > MAX_ORIGIN_LENGTH) return null;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)$/.exec(input);
  if (m === null) return null;
  const scheme = (m[1] as string).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return null;
  const authority = m[2] as string;
  if (authority === '' || authority.includes('@')) return null;
  const parsed = parseAuthority(scheme, authority);
  // Spellings the fast path leaves to URL can still be canonical ([2001:db8::1], for one).
  if (parsed !== null) parsed.canonical = serializeOrigin(parsed) === input;
  return parsed;
}

/**
 * The canonical serialisation of an origin, or `null` when the input is not an http(s) origin.
 *
 * @example
 * normalizeOrigin('https://EXAMPLE.com:443'); // 'https://example.com'
 * normalizeOrigin('https://exämple.com'); // 'https://xn--exmple-cua.com'
 * normalizeOrigin('https://example.com/'); // null: an origin has no path
 */
export function normalizeOrigin(input: string): string | null {
  if (parseCanonical(input) !== null) return input;
  const parsed = parseOrigin(input);
  return parsed === null ? null : serializeOrigin(parsed);
}
