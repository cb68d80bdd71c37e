// Which HTTP library a raw header block looks like (the reasoning per library is on HeaderScan in
// headers.ts). Each test reads the header names as received and their ids from identify().
import {
  H_ACCEPT,
  H_ACCEPT_ENCODING,
  H_ACCEPT_LANGUAGE,
  H_CONNECTION,
  H_CONTENT_TYPE,
  H_USER_AGENT,
} from './header-names.js';
import type { LibraryFingerprint } from './types.js';

/** What the single pass over the headers noted for the fingerprints. */
export interface FingerprintClues {
  hasConnection: boolean;
  hasExpect: boolean;
  /** A lower-case `sec-fetch-mode: cors`, which undici forces. */
  undiciMode: boolean;
  /** Position of the last Content-Length, -1 when none. */
  lastContentLength: number;
}

type Ids = ArrayLike<number>;

function looksLikeCurl(
  raw: readonly string[],
  ids: Ids,
  n: number,
  lastContentLength: number,
): boolean {
  if (raw[0] !== 'Host') return false;
  const a = raw[2] === 'User-Agent' ? 2 : 1;
  if (raw[2 * a] !== 'Accept' || raw[2 * a + 1] !== '*/*') return false;
  if (a + 1 < n && ids[a + 1] === H_ACCEPT_LANGUAGE) return false;
  return (
    lastContentLength === n - 1 || (lastContentLength === n - 2 && ids[n - 1] === H_CONTENT_TYPE)
  );
}

function looksLikePythonRequests(ids: Ids, n: number): boolean {
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

/** The library whose header block this is, or null; `n` (> 0) headers, `ids[i]` of each. */
export function fingerprintOf(
  raw: readonly string[],
  ids: Ids,
  n: number,
  clues: FingerprintClues,
): LibraryFingerprint | null {
  // curl sends `Expect: 100-continue` before large bodies; no browser ever sends Expect.
  if (
    clues.hasExpect ||
    (!clues.hasConnection && looksLikeCurl(raw, ids, n, clues.lastContentLength))
  )
    return 'curl';
  if (looksLikePythonRequests(ids, n)) return 'python_requests';
  if (clues.undiciMode && looksLikeUndici(raw, n)) return 'undici';
  if (looksLikeGo(raw, n)) return 'go_net_http';
  return null;
}
