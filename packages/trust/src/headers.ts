import { fingerprintOf, type FingerprintClues } from './fingerprints.js';
import {
  H_ACCEPT,
  H_ACCEPT_ENCODING,
  H_ACCEPT_LANGUAGE,
  H_CONNECTION,
  H_CONTENT_LENGTH,
  H_CONTENT_TYPE,
  H_EXPECT,
  H_ORIGIN,
  H_OTHER,
  H_REFERER,
  H_SEC_CH_UA,
  H_SEC_CH_UA_MOBILE,
  H_SEC_CH_UA_PLATFORM,
  H_SEC_FETCH_DEST,
  H_SEC_FETCH_MODE,
  H_SEC_FETCH_SITE,
  H_SEC_FETCH_USER,
  H_USER_AGENT,
  LAST_SINGLETON,
  NAME_OF,
  SEC_CH,
  SEC_FETCH,
  identify,
  isLowerCase,
  isTitleCase,
  sameIgnoringCase,
} from './header-names.js';
import type { LibraryFingerprint } from './types.js';

/**
 * One pass over Node's `req.rawHeaders`: the values the signals need, duplicates, casing flags,
 * and which HTTP library (if any) the raw header block looks like.
 *
 * The library fingerprints come from captures of what each client really sends to a Node
 * server over HTTP/1.1 (fixtures/libraries.ts), and each one keys on something browsers never do:
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

// Scratch space for header ids, reused across calls (scanHeaders is synchronous).
let ids = new Uint8Array(64);

const emptyScan = (): HeaderScan => ({
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
});

/** Casing of a Sec-Fetch-* or Sec-CH-* header this module does not read (`sec-ch-ua-arch`…). */
function noteOtherCasing(scan: HeaderScan, name: string): void {
  if (name.length > SEC_FETCH.length && sameIgnoringCase(name, SEC_FETCH, 0, SEC_FETCH.length)) {
    if (!isTitleCase(name)) scan.secFetchNotTitle = true;
  } else if (name.length > SEC_CH.length && sameIgnoringCase(name, SEC_CH, 0, SEC_CH.length)) {
    if (!isLowerCase(name)) scan.secChNotLower = true;
  }
}

/** Casing of a known Sec-Fetch-* or Sec-CH-* header. */
function noteKnownCasing(scan: HeaderScan, id: number, name: string): void {
  if (id >= H_SEC_FETCH_SITE && id <= H_SEC_FETCH_USER) {
    if (!isTitleCase(name)) scan.secFetchNotTitle = true;
  } else if (id >= H_SEC_CH_UA && id <= H_SEC_CH_UA_PLATFORM) {
    if (!isLowerCase(name)) scan.secChNotLower = true;
  }
}

/** Keeps the value (or the presence) of a known header. */
function recordValue(scan: HeaderScan, id: number, name: string, value: string): void {
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
    default:
      break;
  }
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
  const scan = emptyScan();
  const clues: FingerprintClues = {
    hasConnection: false,
    hasExpect: false,
    undiciMode: false,
    lastContentLength: -1,
  };
  // Singleton headers seen, and those already reported as duplicated: one bit per id. Plain
  // locals: this loop runs for every header of every beacon.
  let seen = 0;
  let dupSeen = 0;
  let order = '';
  for (let i = 0; i < count; i += 1) {
    const name = raw[2 * i] as string;
    const value = raw[2 * i + 1] as string;
    const id = identify(name);
    ids[i] = id;
    if (i < MAX_ORDER_NAMES) order = i === 0 ? name : `${order},${name}`;
    if (id === H_OTHER) {
      noteOtherCasing(scan, name);
      continue;
    }
    if (id === H_CONTENT_LENGTH) clues.lastContentLength = i;
    if (id <= LAST_SINGLETON) {
      const flag = 1 << id;
      if (seen & flag) {
        if (!(dupSeen & flag)) scan.duplicated.push(NAME_OF[id] as string);
        dupSeen |= flag;
        continue; // keep the first value, as a browser would have sent only that one
      }
      seen |= flag;
    }
    noteKnownCasing(scan, id, name);
    if (id === H_CONNECTION) clues.hasConnection = true;
    else if (id === H_EXPECT) clues.hasExpect = true;
    // undici forces this exact lower-case header, even over a caller's value.
    else if (id === H_SEC_FETCH_MODE && name === 'sec-fetch-mode' && value === 'cors')
      clues.undiciMode = true;
    recordValue(scan, id, name, value);
  }
  if (count > 0) scan.fingerprint = fingerprintOf(raw, ids, count, clues);
  scan.headerOrder = order.length > MAX_ORDER_CHARS ? order.slice(0, MAX_ORDER_CHARS) : order;
  return scan;
}
