import type { LibraryFingerprint } from './types.js';

/**
 * One pass over Node's `req.rawHeaders`: the values the signals need, duplicates, casing flags,
 * and which HTTP library (if any) the raw header block looks like.
 *
 * The library fingerprints come from captures of what each client really sends to a Node
 * server over HTTP/1.1 (see test/fixtures.ts), and each one keys on something browsers never do:
 * - curl: `Host` first, `Accept: *\/*` right after it (or after `User-Agent`), no `Connection`,
 *   custom headers in command-line order and `Content-Length` last; or any `Expect` header.
 * - python-requests: `User-Agent, Accept-Encoding, Accept, Connection` in a row (its default
 *   headers dict), custom headers after them.
 * - Node fetch (undici): lower-case `host`, `connection` first, `content-length` last and
 *   `sec-fetch-mode: cors` in lower case (undici forces it, even over a caller's value).
 * - Go net/http: `Host, User-Agent`, then headers in sorted order, and the transport's own
 *   `Accept-Encoding: gzip` last.
 * They assume the beacon sees the client's header block as sent. A proxy in front that rewrites
 * header order or casing (Go-based proxies sort and canonicalise them) makes them meaningless:
 * set their weights to 0 in that deployment (docs/signals.md).
 */
export interface HeaderScan {
  origin: string | null;
  referer: string | null;
  userAgent: string | null;
  contentType: string | null;
  secFetchSite: string | null;
  secFetchMode: string | null;
  secFetchDest: string | null;
  secFetchUser: string | null;
  secChUa: string | null;
  secChUaMobile: string | null;
  secChUaPlatform: string | null;
  hasAccept: boolean;
  hasAcceptEncoding: boolean;
  hasAcceptLanguage: boolean;
  /** `User-Agent` arrived in exactly that casing: the block kept HTTP/1.1 browser casing. */
  titleCaseUserAgent: boolean;
  /** A `sec-ch-*` name not in lower case (Chromium writes them lower case). */
  secChNotLower: boolean;
  /** A `sec-fetch-*` name not in title case (browsers write `Sec-Fetch-Site`). */
  secFetchNotTitle: boolean;
  duplicated: string[];
  fingerprint: LibraryFingerprint | null;
  headerOrder: string;
}

const MAX_ORDER_NAMES = 40;
const MAX_ORDER_CHARS = 600;

// Headers a browser sends at most once; bit positions for duplicate detection.
const SINGLETONS: Record<string, number> = {
  host: 0,
  origin: 1,
  referer: 2,
  'user-agent': 3,
  'content-type': 4,
  'content-length': 5,
  'sec-fetch-site': 6,
  'sec-fetch-mode': 7,
  'sec-fetch-dest': 8,
  'sec-fetch-user': 9,
  'sec-ch-ua': 10,
  'sec-ch-ua-mobile': 11,
  'sec-ch-ua-platform': 12,
  accept: 13,
  'accept-encoding': 14,
  'accept-language': 15,
};

function isTitleCase(name: string): boolean {
  let upper = true;
  for (let i = 0; i < name.length; i += 1) {
    const c = name.charCodeAt(i);
    if (c === 45 /* - */) {
      upper = true;
      continue;
    }
    const isUpper = c >= 65 && c <= 90;
    const isLower = c >= 97 && c <= 122;
    if (upper ? isLower : isUpper) return false;
    upper = false;
  }
  return true;
}

function looksLikeCurl(names: string[], lower: string[], values: string[]): boolean {
  const n = names.length;
  if (names[0] !== 'Host' || lower.includes('connection')) return false;
  const a = names[1] === 'User-Agent' ? 2 : 1;
  if (names[a] !== 'Accept' || values[a] !== '*/*') return false;
  if (lower[a + 1] === 'accept-language') return false;
  const cl = lower.lastIndexOf('content-length');
  return cl === n - 1 || (cl === n - 2 && lower[n - 1] === 'content-type');
}

function looksLikePythonRequests(lower: string[]): boolean {
  for (let i = 0; i + 3 < lower.length; i += 1) {
    if (
      lower[i] === 'user-agent' &&
      lower[i + 1] === 'accept-encoding' &&
      lower[i + 2] === 'accept' &&
      lower[i + 3] === 'connection'
    ) {
      return true;
    }
  }
  return false;
}

function looksLikeUndici(names: string[], values: string[]): boolean {
  const n = names.length;
  if (names[0] !== 'host' || names[1] !== 'connection' || names[n - 1] !== 'content-length') return false;
  for (let i = 0; i < n; i += 1) if (names[i] === 'sec-fetch-mode' && values[i] === 'cors') return true;
  return false;
}

function looksLikeGo(names: string[], values: string[]): boolean {
  const n = names.length;
  if (n < 3 || names[0] !== 'Host' || names[1] !== 'User-Agent') return false;
  if (names[n - 1] !== 'Accept-Encoding' || values[n - 1] !== 'gzip') return false;
  const from = names[2] === 'Content-Length' ? 3 : 2;
  for (let i = from + 1; i < n - 1; i += 1) if ((names[i - 1] as string) >= (names[i] as string)) return false;
  return true;
}

function fingerprintOf(names: string[], lower: string[], values: string[]): LibraryFingerprint | null {
  if (names.length === 0) return null;
  // curl sends `Expect: 100-continue` before large bodies; no browser ever sends Expect.
  if (lower.includes('expect') || looksLikeCurl(names, lower, values)) return 'curl';
  if (looksLikePythonRequests(lower)) return 'python_requests';
  if (looksLikeUndici(names, values)) return 'undici';
  if (looksLikeGo(names, values)) return 'go_net_http';
  return null;
}

/**
 * Reads the request headers once.
 *
 * @example
 * scanHeaders(['Host', 'b.example', 'User-Agent', 'curl/8.5.0', 'Accept', '*\/*', 'Content-Length', '2']).fingerprint; // 'curl'
 */
export function scanHeaders(raw: readonly string[]): HeaderScan {
  const count = raw.length >> 1;
  const names: string[] = new Array<string>(count);
  const lower: string[] = new Array<string>(count);
  const values: string[] = new Array<string>(count);
  const scan: HeaderScan = {
    origin: null,
    referer: null,
    userAgent: null,
    contentType: null,
    secFetchSite: null,
    secFetchMode: null,
    secFetchDest: null,
    secFetchUser: null,
    secChUa: null,
    secChUaMobile: null,
    secChUaPlatform: null,
    hasAccept: false,
    hasAcceptEncoding: false,
    hasAcceptLanguage: false,
    titleCaseUserAgent: false,
    secChNotLower: false,
    secFetchNotTitle: false,
    duplicated: [],
    fingerprint: null,
    headerOrder: '',
  };
  let seen = 0;
  let dupSeen = 0;
  for (let i = 0; i < count; i += 1) {
    const name = raw[2 * i] as string;
    const value = raw[2 * i + 1] as string;
    const l = name.toLowerCase();
    names[i] = name;
    lower[i] = l;
    values[i] = value;
    const bit = SINGLETONS[l];
    if (bit !== undefined) {
      const flag = 1 << bit;
      if (seen & flag) {
        if (!(dupSeen & flag)) scan.duplicated.push(l);
        dupSeen |= flag;
        continue; // keep the first value, as a browser would have sent only that one
      }
      seen |= flag;
    }
    switch (l) {
      case 'origin':
        scan.origin = value;
        break;
      case 'referer':
        scan.referer = value;
        break;
      case 'user-agent':
        scan.userAgent = value;
        scan.titleCaseUserAgent = name === 'User-Agent';
        break;
      case 'content-type':
        scan.contentType = value;
        break;
      case 'accept':
        scan.hasAccept = true;
        break;
      case 'accept-encoding':
        scan.hasAcceptEncoding = true;
        break;
      case 'accept-language':
        scan.hasAcceptLanguage = true;
        break;
      case 'sec-fetch-site':
        scan.secFetchSite = value;
        break;
      case 'sec-fetch-mode':
        scan.secFetchMode = value;
        break;
      case 'sec-fetch-dest':
        scan.secFetchDest = value;
        break;
      case 'sec-fetch-user':
        scan.secFetchUser = value;
        break;
      case 'sec-ch-ua':
        scan.secChUa = value;
        break;
      case 'sec-ch-ua-mobile':
        scan.secChUaMobile = value;
        break;
      case 'sec-ch-ua-platform':
        scan.secChUaPlatform = value;
        break;
      default:
        break;
    }
    if (l.startsWith('sec-ch-')) {
      if (name !== l) scan.secChNotLower = true;
    } else if (l.startsWith('sec-fetch-')) {
      if (!isTitleCase(name)) scan.secFetchNotTitle = true;
    }
  }
  scan.fingerprint = fingerprintOf(names, lower, values);
  let order = count > MAX_ORDER_NAMES ? names.slice(0, MAX_ORDER_NAMES).join(',') : names.join(',');
  if (order.length > MAX_ORDER_CHARS) order = order.slice(0, MAX_ORDER_CHARS);
  scan.headerOrder = order;
  return scan;
}
