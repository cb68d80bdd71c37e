/**
 * Realistic request headers as Node's `req.rawHeaders` shows them (HTTP/1.1, arrival order,
 * original casing), and a builder for RequestFacts.
 *
 * Provenance:
 * - Chromium (sendBeacon, fetch keepalive), curl 7.88, python-requests 2.34, Node 20 fetch
 *   (undici) and Go net/http were captured on this machine by pointing each client at a Node
 *   server that recorded `req.rawHeaders` (Chromium 156 from Debian, page on one origin,
 *   beacon on another, so the request is cross-site). For the Chromium fixtures the headless
 *   User-Agent and brand list were replaced by those of a desktop Chrome 131 build; order,
 *   casing and every other value are as captured.
 * - Firefox and Safari could not be run here: their order follows published header-order data
 *   (Firefox: Host, User-Agent, Accept, Accept-Language, Accept-Encoding, Content-Type,
 *   Content-Length, Origin, Connection, Referer, Sec-Fetch-*; Safari/WebKit writes Sec-Fetch-*
 *   in title case and sends no client hints). No signal relies on their exact order.
 */
import type { RequestFacts } from '../src/index.js';

export type HeaderList = ReadonlyArray<readonly [string, string]>;

export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const CHROME_BRANDS = '"Google Chrome";v="131", "Chromium";v="131", "Not_A Brand";v="24"';

/** Chromium `navigator.sendBeacon(url, string)` from https://shop.example.com to the beacon. */
export const CHROMIUM_SEND_BEACON: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['Connection', 'keep-alive'],
  ['Content-Length', '1187'],
  ['sec-ch-ua-platform', '"Windows"'],
  ['User-Agent', CHROME_UA],
  ['sec-ch-ua', CHROME_BRANDS],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['sec-ch-ua-mobile', '?0'],
  ['Accept', '*/*'],
  ['Origin', 'https://shop.example.com'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Sec-Fetch-Storage-Access', 'none'],
  ['Referer', 'https://shop.example.com/'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'en-US,en;q=0.9'],
];

/** Chromium `fetch(url, { method: 'POST', body, keepalive: true })`: mode cors, otherwise alike. */
export const CHROMIUM_FETCH_KEEPALIVE: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['Connection', 'keep-alive'],
  ['Content-Length', '1187'],
  ['sec-ch-ua-platform', '"Windows"'],
  ['User-Agent', CHROME_UA],
  ['sec-ch-ua', CHROME_BRANDS],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['sec-ch-ua-mobile', '?0'],
  ['Accept', '*/*'],
  ['Origin', 'https://shop.example.com'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Mode', 'cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Referer', 'https://shop.example.com/'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'en-US,en;q=0.9'],
];

export const CHROME_ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

/** Chrome on an Android phone: mobile hint ?1, platform "Android", reduced UA. */
export const CHROME_ANDROID_SEND_BEACON: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['Connection', 'keep-alive'],
  ['Content-Length', '1187'],
  ['sec-ch-ua-platform', '"Android"'],
  ['User-Agent', CHROME_ANDROID_UA],
  ['sec-ch-ua', CHROME_BRANDS],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['sec-ch-ua-mobile', '?1'],
  ['Accept', '*/*'],
  ['Origin', 'https://shop.example.com'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Referer', 'https://shop.example.com/'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'de-DE,de;q=0.9,en;q=0.8'],
];

/**
 * The Chromium beacon after an HTTP/2-terminating nginx: HTTP/2 names arrive lower case, nginx
 * writes its own Host and Connection and adds forwarding headers. Must not look like a library.
 */
export const CHROMIUM_VIA_H2_PROXY: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['X-Forwarded-For', '203.0.113.77'],
  ['X-Forwarded-Proto', 'https'],
  ['Connection', 'close'],
  ['content-length', '1187'],
  ['sec-ch-ua-platform', '"Windows"'],
  ['user-agent', CHROME_UA],
  ['sec-ch-ua', CHROME_BRANDS],
  ['content-type', 'text/plain;charset=UTF-8'],
  ['sec-ch-ua-mobile', '?0'],
  ['accept', '*/*'],
  ['origin', 'https://shop.example.com'],
  ['sec-fetch-site', 'cross-site'],
  ['sec-fetch-mode', 'no-cors'],
  ['sec-fetch-dest', 'empty'],
  ['referer', 'https://shop.example.com/'],
  ['accept-encoding', 'gzip, deflate, br, zstd'],
  ['accept-language', 'en-US,en;q=0.9'],
  ['priority', 'u=4, i'],
];

export const FIREFOX_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** Firefox `navigator.sendBeacon`: no client hints, title-case Sec-Fetch-*. */
export const FIREFOX_SEND_BEACON: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['User-Agent', FIREFOX_UA],
  ['Accept', '*/*'],
  ['Accept-Language', 'en-US,en;q=0.5'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Content-Length', '1187'],
  ['Origin', 'https://shop.example.com'],
  ['Connection', 'keep-alive'],
  ['Referer', 'https://shop.example.com/'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Priority', 'u=6'],
];

export const SAFARI_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15';

/** Safari 17 `navigator.sendBeacon`. */
export const SAFARI_SEND_BEACON: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Origin', 'https://shop.example.com'],
  ['Accept', '*/*'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Accept-Language', 'en-GB,en;q=0.9'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['User-Agent', SAFARI_UA],
  ['Referer', 'https://shop.example.com/'],
  ['Content-Length', '1187'],
  ['Accept-Encoding', 'gzip, deflate, br'],
  ['Connection', 'keep-alive'],
];

/** Chromium 156 headless as Playwright drives it (captured as is): declares HeadlessChrome. */
export const HEADLESS_CHROMIUM_SEND_BEACON: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['Connection', 'keep-alive'],
  ['Content-Length', '1187'],
  ['sec-ch-ua-platform', '"Linux"'],
  [
    'User-Agent',
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
  ],
  ['sec-ch-ua', '"Not:A-Brand";v="8", "Chromium";v="156"'],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['sec-ch-ua-mobile', '?0'],
  ['Accept', '*/*'],
  ['Origin', 'https://shop.example.com'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Sec-Fetch-Storage-Access', 'none'],
  ['Referer', 'https://shop.example.com/'],
  ['Accept-Encoding', 'gzip, deflate, br, zstd'],
  ['Accept-Language', 'en-US,en;q=0.9'],
];

/** `curl -X POST -H 'Content-Type: text/plain' -H 'Origin: …' -d @payload.json URL` */
export const CURL_FORGED_ORIGIN: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['User-Agent', 'curl/8.5.0'],
  ['Accept', '*/*'],
  ['Content-Type', 'text/plain'],
  ['Origin', 'https://shop.example.com'],
  ['Content-Length', '1187'],
];

/** curl with a Chrome User-Agent (-A) and hand-copied browser headers (-H …), as captured. */
export const CURL_DRESSED_AS_CHROME: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['User-Agent', CHROME_UA],
  ['Accept', '*/*'],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Origin', 'https://shop.example.com'],
  ['Referer', 'https://shop.example.com/'],
  ['sec-fetch-site', 'cross-site'],
  ['sec-fetch-mode', 'no-cors'],
  ['sec-fetch-dest', 'empty'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  ['Content-Length', '1187'],
];

/** `requests.post(url, data=body, headers={'Content-Type': 'text/plain', 'Origin': …})` */
export const PYTHON_REQUESTS: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['User-Agent', 'python-requests/2.34.2'],
  ['Accept-Encoding', 'gzip, deflate'],
  ['Accept', '*/*'],
  ['Connection', 'keep-alive'],
  ['Content-Type', 'text/plain'],
  ['Origin', 'https://shop.example.com'],
  ['Content-Length', '1187'],
];

/** python-requests with a full set of copied Chrome headers (its default headers keep their slots). */
export const PYTHON_REQUESTS_DRESSED_AS_CHROME: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['User-Agent', CHROME_UA],
  ['Accept-Encoding', 'gzip, deflate'],
  ['Accept', '*/*'],
  ['Connection', 'keep-alive'],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Origin', 'https://shop.example.com'],
  ['Referer', 'https://shop.example.com/'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  ['Content-Length', '1187'],
];

/** Node 20 `fetch(url, { method: 'POST', body, headers: { 'content-type': 'text/plain', origin } })` */
export const UNDICI_FETCH: HeaderList = [
  ['host', 'beacon.tagward.test'],
  ['connection', 'keep-alive'],
  ['content-type', 'text/plain'],
  ['origin', 'https://shop.example.com'],
  ['accept', '*/*'],
  ['accept-language', '*'],
  ['sec-fetch-mode', 'cors'],
  ['user-agent', 'node'],
  ['accept-encoding', 'gzip, deflate'],
  ['content-length', '1187'],
];

/** Node fetch with copied Chrome headers: undici still forces `sec-fetch-mode: cors` in lower case. */
export const UNDICI_DRESSED_AS_CHROME: HeaderList = [
  ['host', 'beacon.tagward.test'],
  ['connection', 'keep-alive'],
  ['User-Agent', CHROME_UA],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Origin', 'https://shop.example.com'],
  ['Referer', 'https://shop.example.com/'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['sec-fetch-mode', 'cors'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  ['accept', '*/*'],
  ['accept-encoding', 'gzip, deflate'],
  ['content-length', '1187'],
];

/** Go `http.NewRequest("POST", …)` with Content-Type and Origin set. */
export const GO_NET_HTTP: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['User-Agent', 'Go-http-client/1.1'],
  ['Content-Length', '1187'],
  ['Content-Type', 'text/plain'],
  ['Origin', 'https://shop.example.com'],
  ['Accept-Encoding', 'gzip'],
];

/** Go with copied Chrome headers: sorted, canonicalised (`Sec-Ch-Ua`), gzip last. */
export const GO_DRESSED_AS_CHROME: HeaderList = [
  ['Host', 'beacon.tagward.test'],
  ['User-Agent', CHROME_UA],
  ['Content-Length', '1187'],
  ['Accept-Language', 'en-US,en;q=0.9'],
  ['Content-Type', 'text/plain;charset=UTF-8'],
  ['Origin', 'https://shop.example.com'],
  ['Referer', 'https://shop.example.com/'],
  ['Sec-Ch-Ua', CHROME_BRANDS],
  ['Sec-Ch-Ua-Mobile', '?0'],
  ['Sec-Ch-Ua-Platform', '"Windows"'],
  ['Sec-Fetch-Dest', 'empty'],
  ['Sec-Fetch-Mode', 'no-cors'],
  ['Sec-Fetch-Site', 'cross-site'],
  ['Accept-Encoding', 'gzip'],
];

/** Flattens a header list into Node's rawHeaders shape. */
export function raw(list: HeaderList): string[] {
  const out: string[] = [];
  for (const [name, value] of list) out.push(name, value);
  return out;
}

/** Replaces (or, with `null`, removes) headers by case-insensitive name, keeping positions. */
export function withHeaders(list: HeaderList, changes: Record<string, string | null>): HeaderList {
  const lowered = new Map(Object.entries(changes).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of list) {
    const change = lowered.get(name.toLowerCase());
    if (change === undefined) out.push([name, value]);
    else if (change !== null) out.push([name, change]);
  }
  return out;
}

/** Appends headers at the end of the block. */
export function appendHeaders(list: HeaderList, extra: HeaderList): HeaderList {
  return [...list, ...extra];
}

export const ALLOWED_ORIGINS = ['https://shop.example.com', 'https://*.example.org'];

export const PAGE_URL = 'https://shop.example.com/products/42?ref=home';

export interface FactsOverrides {
  headers?: HeaderList;
  ip?: string;
  payload?: Partial<RequestFacts['payload']>;
  timing?: Partial<RequestFacts['payload']['timing']>;
  site?: Partial<RequestFacts['site']>;
  token?: RequestFacts['token'];
  attestation?: RequestFacts['attestation'];
  cadence?: Partial<RequestFacts['cadence']>;
}

/** A real Chromium page view on an allowlisted origin without a page token, unless overridden. */
export function facts(o: FactsOverrides = {}): RequestFacts {
  return {
    rawHeaders: raw(o.headers ?? CHROMIUM_SEND_BEACON),
    ip: o.ip ?? '203.0.113.77',
    payload: {
      url: PAGE_URL,
      ref: 'https://www.google.com/',
      seq: 0,
      ...o.payload,
      timing: {
        nav: 1234.5,
        start: 1301.2,
        checks: 8.4,
        send: 1310.9,
        ttfb: 210.3,
        ...o.payload?.timing,
        ...o.timing,
      },
    },
    site: {
      id: 'site_1',
      mode: 'live',
      allowedOrigins: ALLOWED_ORIGINS,
      pageTokenRequired: false,
      ...o.site,
    },
    token: o.token ?? { status: 'missing' },
    attestation: o.attestation ?? { status: 'absent' },
    cadence: { countLastMinute: 0, intervalsMs: [], identicalTimings: 0, ...o.cadence },
  };
}

/** A valid page token as the keys package reports it: 1.8 s old, 10 min lifetime. */
export const VALID_TOKEN = { status: 'valid', ageMs: 1800, ttlMs: 600_000 } as const;
