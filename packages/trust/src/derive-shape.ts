// The request-shape signals: what the User-Agent claims, and whether the header block agrees
// with what that browser sends.
import type { HeaderScan } from './headers.js';
import { classifyUserAgent, hintMismatches, type UaClaim } from './user-agent.js';
import type { Signals } from './types.js';

const MAX_UA = 256;
const MAX_CONTENT_TYPE = 100;
const MAX_FETCH_VALUE = 40;

/** `value` cut to `max` characters (stored signals are bounded). */
export function clip(value: string | null, max: number): string | null {
  if (value === null) return null;
  return value.length > max ? value.slice(0, max) : value;
}

function isBrowser(claim: UaClaim): boolean {
  return claim.family === 'chromium' || claim.family === 'firefox' || claim.family === 'webkit';
}

/** Headers every browser sends that did not come (none expected from a non-browser). */
function missingBrowserHeaders(h: HeaderScan, browser: boolean): string[] {
  const missing: string[] = [];
  if (browser) {
    if (!h.hasAccept) missing.push('accept');
    if (!h.hasAcceptEncoding) missing.push('accept_encoding');
    if (!h.hasAcceptLanguage) missing.push('accept_language');
  }
  return missing;
}

/** HTTP/1.1 browser casing (title-case User-Agent) with fetch or hint names written otherwise. */
function casingAtypical(h: HeaderScan, claim: UaClaim, browser: boolean): boolean {
  return (
    browser &&
    h.titleCaseUserAgent &&
    (h.secFetchNotTitle || (claim.family === 'chromium' && h.secChNotLower))
  );
}

/** The `shape` part of Signals, from one scan of the headers. */
export function deriveShape(h: HeaderScan): Signals['shape'] {
  const ua = h.userAgent ?? '';
  const claim = classifyUserAgent(ua);
  const browser = isBrowser(claim);
  const hintsPresent = h.secChUa !== null || h.secChUaMobile !== null || h.secChUaPlatform !== null;
  return {
    ua: ua.length > MAX_UA ? ua.slice(0, MAX_UA) : ua,
    uaFamily: claim.family,
    uaMajor: claim.major,
    uaTool: claim.tool,
    secFetchExpected: claim.secFetchExpected,
    secFetchSite: clip(h.secFetchSite, MAX_FETCH_VALUE),
    secFetchMode: clip(h.secFetchMode, MAX_FETCH_VALUE),
    secFetchDest: clip(h.secFetchDest, MAX_FETCH_VALUE),
    secFetchUser: clip(h.secFetchUser, MAX_FETCH_VALUE),
    hintsExpected: claim.hintsExpected,
    hintsPresent,
    hintsMismatch: hintsPresent
      ? hintMismatches(claim, h.secChUa, h.secChUaMobile, h.secChUaPlatform)
      : [],
    fingerprint: h.fingerprint,
    casingAtypical: casingAtypical(h, claim, browser),
    missingBrowserHeaders: missingBrowserHeaders(h, browser),
    contentType: clip(h.contentType, MAX_CONTENT_TYPE),
    duplicated: h.duplicated,
    headerOrder: h.headerOrder,
  };
}
