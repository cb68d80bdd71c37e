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

// Header identities. Names are matched case-insensitively without allocating a lower-case copy
// (this runs for every header of every beacon): candidates are looked up by length, then
// compared character by character.
const H_OTHER = 0;
const H_HOST = 1;
const H_ORIGIN = 2;
const H_REFERER = 3;
const H_USER_AGENT = 4;
const H_CONTENT_TYPE = 5;
const H_CONTENT_LENGTH = 6;
const H_SEC_FETCH_SITE = 7;
const H_SEC_FETCH_MODE = 8;
const H_SEC_FETCH_DEST = 9;
const H_SEC_FETCH_USER = 10;
const H_SEC_CH_UA = 11;
const H_SEC_CH_UA_MOBILE = 12;
const H_SEC_CH_UA_PLATFORM = 13;
const H_ACCEPT = 14;
const H_ACCEPT_ENCODING = 15;
const H_ACCEPT_LANGUAGE = 16;
const H_CONNECTION = 17;
const H_EXPECT = 18;
/** Ids up to here are headers a browser sends at most once. */
const LAST_SINGLETON = H_ACCEPT_LANGUAGE;

const KNOWN: Array<[string, number]> = [
  ['host', H_HOST],
  ['origin', H_ORIGIN],
  ['referer', H_REFERER],
  ['user-agent', H_USER_AGENT],
  ['content-type', H_CONTENT_TYPE],
  ['content-length', H_CONTENT_LENGTH],
  ['sec-fetch-site', H_SEC_FETCH_SITE],
  ['sec-fetch-mode', H_SEC_FETCH_MODE],
  ['sec-fetch-dest', H_SEC_FETCH_DEST],
  ['sec-fetch-user', H_SEC_FETCH_USER],
  ['sec-ch-ua', H_SEC_CH_UA],
  ['sec-ch-ua-mobile', H_SEC_CH_UA_MOBILE],
  ['sec-ch-ua-platform', H_SEC_CH_UA_PLATFORM],
  ['accept', H_ACCEPT],
  ['accept-encoding', H_ACCEPT_ENCODING],
  ['accept-language', H_ACCEPT_LANGUAGE],
  ['connection', H_CONNECTION],
  ['expect', H_EXPECT],
];
const NAME_OF: string[] = [];
for (const [name, id] of KNOWN) NAME_OF[id] = name;

/** `name` equals the lower-case ASCII `lower` (letters, digits, '-') ignoring case, from `from`. */
function sameIgnoringCase(name: string, lower: string, from: number, to: number): boolean {
  for (let i = from; i < to; i += 1) {
    // OR-ing 0x20 lower-cases ASCII letters and leaves '-' and digits as they are; header names
    // cannot hold the control characters that would collide.
    if ((name.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Lower-cased ASCII code of `name[i]` (letters only change; see sameIgnoringCase). */
function lowerAt(name: string, i: number): number {
  return name.charCodeAt(i) | 0x20;
}

interface Known {
  id: number;
  lower: string;
  title: string;
}

const known = (lower: string, id: number): Known => ({
  id,
  lower,
  title: lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()),
});
const K_HOST = known('host', H_HOST);
const K_ORIGIN = known('origin', H_ORIGIN);
const K_ACCEPT = known('accept', H_ACCEPT);
const K_EXPECT = known('expect', H_EXPECT);
const K_REFERER = known('referer', H_REFERER);
const K_SEC_CH_UA = known('sec-ch-ua', H_SEC_CH_UA);
const K_USER_AGENT = known('user-agent', H_USER_AGENT);
const K_CONNECTION = known('connection', H_CONNECTION);
const K_CONTENT_TYPE = known('content-type', H_CONTENT_TYPE);
const K_CONTENT_LENGTH = known('content-length', H_CONTENT_LENGTH);
const K_SEC_FETCH_SITE = known('sec-fetch-site', H_SEC_FETCH_SITE);
const K_SEC_FETCH_MODE = known('sec-fetch-mode', H_SEC_FETCH_MODE);
const K_SEC_FETCH_DEST = known('sec-fetch-dest', H_SEC_FETCH_DEST);
const K_SEC_FETCH_USER = known('sec-fetch-user', H_SEC_FETCH_USER);
const K_ACCEPT_ENCODING = known('accept-encoding', H_ACCEPT_ENCODING);
const K_ACCEPT_LANGUAGE = known('accept-language', H_ACCEPT_LANGUAGE);
const K_SEC_CH_UA_MOBILE = known('sec-ch-ua-mobile', H_SEC_CH_UA_MOBILE);
const K_SEC_CH_UA_PLATFORM = known('sec-ch-ua-platform', H_SEC_CH_UA_PLATFORM);

/** The one known header a name can be, judged from its length and a character or two. */
function candidate(name: string): Known | null {
  switch (name.length) {
    case 4:
      return K_HOST;
    case 6: {
      const c = lowerAt(name, 0);
      return c === 111 /* o */
        ? K_ORIGIN
        : c === 97 /* a */
          ? K_ACCEPT
          : c === 101 /* e */
            ? K_EXPECT
            : null;
    }
    case 7:
      return K_REFERER;
    case 9:
      return K_SEC_CH_UA;
    case 10: {
      const c = lowerAt(name, 0);
      return c === 117 /* u */ ? K_USER_AGENT : c === 99 /* c */ ? K_CONNECTION : null;
    }
    case 12:
      return K_CONTENT_TYPE;
    case 14: {
      if (lowerAt(name, 0) === 99 /* c */) return K_CONTENT_LENGTH;
      const d = lowerAt(name, 10);
      return d === 115 /* s */
        ? K_SEC_FETCH_SITE
        : d === 109 /* m */
          ? K_SEC_FETCH_MODE
          : d === 100 /* d */
            ? K_SEC_FETCH_DEST
            : d === 117 /* u */
              ? K_SEC_FETCH_USER
              : null;
    }
    case 15: {
      const c = lowerAt(name, 7);
      return c === 101 /* e */ ? K_ACCEPT_ENCODING : c === 108 /* l */ ? K_ACCEPT_LANGUAGE : null;
    }
    case 16:
      return K_SEC_CH_UA_MOBILE;
    case 18:
      return K_SEC_CH_UA_PLATFORM;
    default:
      return null;
  }
}

/**
 * Which known header a name is. A candidate is picked from the length and a character or two,
 * then confirmed: first against the two spellings clients actually use (a native string
 * comparison), then character by character. A Map lookup would hash the name, and every
 * request brings fresh strings.
 */
function identify(name: string): number {
  const k = candidate(name);
  if (k === null) return H_OTHER;
  return name === k.title || name === k.lower || sameIgnoringCase(name, k.lower, 0, k.lower.length)
    ? k.id
    : H_OTHER;
}

const SEC_CH = 'sec-ch-';
const SEC_FETCH = 'sec-fetch-';

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

function isLowerCase(name: string): boolean {
  for (let i = 0; i < name.length; i += 1) {
    const c = name.charCodeAt(i);
    if (c >= 65 && c <= 90) return false;
  }
  return true;
}

// Scratch space for header ids, reused across calls (scanHeaders is synchronous).
let ids = new Uint8Array(64);

function looksLikeCurl(raw: readonly string[], n: number, lastContentLength: number): boolean {
  if (raw[0] !== 'Host') return false;
  const a = raw[2] === 'User-Agent' ? 2 : 1;
  if (raw[2 * a] !== 'Accept' || raw[2 * a + 1] !== '*/*') return false;
  if (a + 1 < n && ids[a + 1] === H_ACCEPT_LANGUAGE) return false;
  return (
    lastContentLength === n - 1 || (lastContentLength === n - 2 && ids[n - 1] === H_CONTENT_TYPE)
  );
}

function looksLikePythonRequests(n: number): boolean {
  for (let i = 0; i + 3 < n; i += 1) {
    if (
      ids[i] === H_USER_AGENT &&
      ids[i + 1] === H_ACCEPT_ENCODING &&
      ids[i + 2] === H_ACCEPT &&
      ids[i + 3] === H_CONNECTION
    ) {
      return true;
    }
  }
  return false;
}

function looksLikeUndici(raw: readonly string[], n: number): boolean {
  return raw[0] === 'host' && raw[2] === 'connection' && raw[2 * (n - 1)] === 'content-length';
}

function looksLikeGo(raw: readonly string[], n: number): boolean {
  if (n < 3 || raw[0] !== 'Host' || raw[2] !== 'User-Agent') return false;
  if (raw[2 * (n - 1)] !== 'Accept-Encoding' || raw[2 * (n - 1) + 1] !== 'gzip') return false;
  const from = raw[4] === 'Content-Length' ? 3 : 2;
  for (let i = from + 1; i < n - 1; i += 1)
    if ((raw[2 * (i - 1)] as string) >= (raw[2 * i] as string)) return false;
  return true;
}

/**
 * Reads the request headers once.
 *
 * @example
 * scanHeaders(['Host', 'b.example', 'User-Agent', 'curl/8.5.0', 'Accept', '*\/*', 'Content-Length', '2']).fingerprint; // 'curl'
 */
export function scanHeaders(raw: readonly string[]): HeaderScan {
  const count = raw.length >> 1;
  if (ids.length < count) ids = new Uint8Array(count * 2);
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
  let hasConnection = false;
  let hasExpect = false;
  let undiciMode = false;
  let lastContentLength = -1;
  let order = '';
  for (let i = 0; i < count; i += 1) {
    const name = raw[2 * i] as string;
    const value = raw[2 * i + 1] as string;
    const id = identify(name);
    ids[i] = id;
    if (i < MAX_ORDER_NAMES) order = i === 0 ? name : `${order},${name}`;
    if (id === H_OTHER) {
      if (
        name.length > SEC_FETCH.length &&
        sameIgnoringCase(name, SEC_FETCH, 0, SEC_FETCH.length)
      ) {
        if (!isTitleCase(name)) scan.secFetchNotTitle = true;
      } else if (name.length > SEC_CH.length && sameIgnoringCase(name, SEC_CH, 0, SEC_CH.length)) {
        if (!isLowerCase(name)) scan.secChNotLower = true;
      }
      continue;
    }
    if (id === H_CONTENT_LENGTH) lastContentLength = i;
    if (id <= LAST_SINGLETON) {
      const flag = 1 << id;
      if (seen & flag) {
        if (!(dupSeen & flag)) scan.duplicated.push(NAME_OF[id] as string);
        dupSeen |= flag;
        continue; // keep the first value, as a browser would have sent only that one
      }
      seen |= flag;
    }
    if (id >= H_SEC_FETCH_SITE && id <= H_SEC_FETCH_USER) {
      if (!isTitleCase(name)) scan.secFetchNotTitle = true;
    } else if (id >= H_SEC_CH_UA && id <= H_SEC_CH_UA_PLATFORM) {
      if (!isLowerCase(name)) scan.secChNotLower = true;
    }
    switch (id) {
      case H_ORIGIN:
        scan.origin = value;
        break;
      case H_REFERER:
        scan.referer = value;
        break;
      case H_USER_AGENT:
        scan.userAgent = value;
        scan.titleCaseUserAgent = name === 'User-Agent';
        break;
      case H_CONTENT_TYPE:
        scan.contentType = value;
        break;
      case H_ACCEPT:
        scan.hasAccept = true;
        break;
      case H_ACCEPT_ENCODING:
        scan.hasAcceptEncoding = true;
        break;
      case H_ACCEPT_LANGUAGE:
        scan.hasAcceptLanguage = true;
        break;
      case H_SEC_FETCH_SITE:
        scan.secFetchSite = value;
        break;
      case H_SEC_FETCH_MODE:
        scan.secFetchMode = value;
        // undici forces this exact lower-case header, even over a caller's value.
        if (name === 'sec-fetch-mode' && value === 'cors') undiciMode = true;
        break;
      case H_SEC_FETCH_DEST:
        scan.secFetchDest = value;
        break;
      case H_SEC_FETCH_USER:
        scan.secFetchUser = value;
        break;
      case H_SEC_CH_UA:
        scan.secChUa = value;
        break;
      case H_SEC_CH_UA_MOBILE:
        scan.secChUaMobile = value;
        break;
      case H_SEC_CH_UA_PLATFORM:
        scan.secChUaPlatform = value;
        break;
      case H_CONNECTION:
        hasConnection = true;
        break;
      case H_EXPECT:
        hasExpect = true;
        break;
      default:
        break;
    }
  }
  if (count > 0) {
    // curl sends `Expect: 100-continue` before large bodies; no browser ever sends Expect.
    if (hasExpect || (!hasConnection && looksLikeCurl(raw, count, lastContentLength)))
      scan.fingerprint = 'curl';
    else if (looksLikePythonRequests(count)) scan.fingerprint = 'python_requests';
    else if (undiciMode && looksLikeUndici(raw, count)) scan.fingerprint = 'undici';
    else if (looksLikeGo(raw, count)) scan.fingerprint = 'go_net_http';
  }
  scan.headerOrder = order.length > MAX_ORDER_CHARS ? order.slice(0, MAX_ORDER_CHARS) : order;
  return scan;
}
