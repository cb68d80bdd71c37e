import {
  compileOriginAllowlist,
  isLoopbackHost,
  parseOrigin,
  type OriginAllowlist,
} from '@tagward/protocol';
import { scanHeaders } from './headers.js';
import { ipPrefix } from './ip.js';
import { classifyUserAgent, hintMismatches } from './user-agent.js';
import type { KeyMode, OriginStatus, ReferrerKind, RequestFacts, Signals } from './types.js';

const MAX_UA = 256;
const MAX_RAW_ORIGIN = 200;
const MAX_CONTENT_TYPE = 100;
const MAX_FETCH_VALUE = 40;

// Compiled allowlists per site array: the beacon keeps its site objects in a cache, so the same
// array comes back for every beacon of a site and the patterns are normalised once.
const allowlists = new WeakMap<readonly string[], { mode: KeyMode; list: OriginAllowlist }>();

function allowlistFor(patterns: readonly string[], mode: KeyMode): OriginAllowlist {
  const hit = allowlists.get(patterns);
  if (hit !== undefined && hit.mode === mode) return hit.list;
  const list = compileOriginAllowlist(patterns, mode);
  allowlists.set(patterns, { mode, list });
  return list;
}

interface OriginParse {
  origin: string;
  host: string;
}

/**
 * The origin of an absolute http(s) URL. Browser-built URLs are already canonical, so the common
 * case is a prefix comparison with an origin already known (the page URL and the Referer of a
 * real beacon start with its Origin header), then a slice and a regex; anything unusual goes
 * through WHATWG URL.
 */
function originOfUrl(url: string, known: OriginParse | null): OriginParse | null {
  if (known !== null && url.startsWith(known.origin)) {
    const next = url.charCodeAt(known.origin.length);
    // NaN: the URL is the bare origin. The next character must end the authority, or
    // https://shop.example.com.evil.net would pass as https://shop.example.com.
    if (Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */ || next === 35 /* # */)
      return known;
  }
  const schemeEnd = url.indexOf('://');
  if (schemeEnd === 4 || schemeEnd === 5) {
    let end = url.length;
    for (let i = schemeEnd + 3; i < url.length; i += 1) {
      const c = url.charCodeAt(i);
      if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || c === 92 /* \ */) {
        end = i;
        break;
      }
    }
    const candidate = url.slice(0, end);
    const parsed = parseOrigin(candidate);
    if (parsed !== null && url.charCodeAt(end) !== 92) {
      return {
        origin: parsed.canonical
          ? candidate
          : serializeOrigin(parsed.scheme, parsed.host, parsed.port),
        host: parsed.host,
      };
    }
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return { origin: u.origin, host: u.hostname };
}

function serializeOrigin(scheme: string, host: string, port: string): string {
  return port === '' ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}

function stripFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

function clip(value: string | null, max: number): string | null {
  if (value === null) return null;
  return value.length > max ? value.slice(0, max) : value;
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/**
 * Turns what the beacon knows about one request into stored, re-scorable signals. Pure: no
 * clock, no I/O; the full IP address and the full Referer never leave this function.
 *
 * @example
 * const signals = deriveSignals({
 *   rawHeaders: req.rawHeaders,
 *   ip: clientIp,
 *   payload,
 *   site: { id: site.id, mode: 'live', allowedOrigins: site.allowedOrigins, pageTokenRequired: false },
 *   token: { status: 'valid', ageMs: 1800, ttlMs: 600_000 },
 *   attestation: { status: 'absent' },
 *   cadence: { countLastMinute: 0, intervalsMs: [], identicalTimings: 0 },
 * });
 * const { verdict, reasons } = score(signals, rules);
 */
export function deriveSignals(facts: RequestFacts): Signals {
  const h = scanHeaders(facts.rawHeaders);
  const mode = facts.site.mode;
  const allowlist = allowlistFor(facts.site.allowedOrigins, mode);

  // Origin header
  let originStatus: OriginStatus;
  let originValue: string | null = null;
  let originParse: OriginParse | null = null;
  let canonical: boolean | null = null;
  if (h.origin === null) {
    originStatus = 'missing';
  } else if (h.origin === 'null') {
    originStatus = 'opaque';
    originValue = 'null';
  } else {
    const parsed = parseOrigin(h.origin);
    if (parsed === null) {
      originStatus = 'malformed';
      originValue = clip(h.origin, MAX_RAW_ORIGIN);
    } else {
      canonical = parsed.canonical;
      originValue = canonical ? h.origin : serializeOrigin(parsed.scheme, parsed.host, parsed.port);
      originParse = { origin: originValue, host: parsed.host };
      if (mode === 'live' && isLoopbackHost(parsed.host)) originStatus = 'loopback_on_live';
      else originStatus = allowlist.allowsCanonical(originValue) ? 'allowed' : 'not_allowed';
    }
  }
  const originUsable =
    originStatus === 'allowed' ||
    originStatus === 'not_allowed' ||
    originStatus === 'loopback_on_live';

  // Page URL from the payload
  const page = originOfUrl(facts.payload.url, originParse);
  const pageOrigin = page === null ? null : page.origin;
  const pageAllowed =
    page === null
      ? null
      : !(mode === 'live' && isLoopbackHost(page.host)) && allowlist.allowsCanonical(page.origin);
  const sameAsOrigin = page === null || !originUsable ? null : page.origin === originValue;

  // Referer
  let referrerKind: ReferrerKind = 'absent';
  let referrerOrigin: string | null = null;
  let matchesOrigin: boolean | null = null;
  let matchesPage: boolean | null = null;
  if (h.referer !== null) {
    const ref = originOfUrl(h.referer, page ?? originParse);
    if (ref === null) {
      referrerKind = 'malformed';
    } else {
      referrerOrigin = ref.origin;
      referrerKind = h.referer === `${ref.origin}/` ? 'origin_only' : 'full';
      const against = originUsable ? originValue : pageOrigin;
      matchesOrigin = against === null ? null : ref.origin === against;
      if (referrerKind === 'full') matchesPage = h.referer === stripFragment(facts.payload.url);
    }
  }

  // User agent and request shape
  const ua = h.userAgent ?? '';
  const claim = classifyUserAgent(ua);
  const browser =
    claim.family === 'chromium' || claim.family === 'firefox' || claim.family === 'webkit';
  const hintsPresent = h.secChUa !== null || h.secChUaMobile !== null || h.secChUaPlatform !== null;
  const missingBrowserHeaders: string[] = [];
  if (browser) {
    if (!h.hasAccept) missingBrowserHeaders.push('accept');
    if (!h.hasAcceptEncoding) missingBrowserHeaders.push('accept_encoding');
    if (!h.hasAcceptLanguage) missingBrowserHeaders.push('accept_language');
  }
  const casingAtypical =
    browser &&
    h.titleCaseUserAgent &&
    (h.secFetchNotTitle || (claim.family === 'chromium' && h.secChNotLower));

  // Cadence
  const intervals =
    facts.cadence.intervalsMs.length > 8
      ? facts.cadence.intervalsMs.slice(-8)
      : facts.cadence.intervalsMs;
  let meanMs: number | null = null;
  let cv: number | null = null;
  if (intervals.length > 0) {
    let sum = 0;
    for (const x of intervals) sum += x;
    const mean = sum / intervals.length;
    let sq = 0;
    for (const x of intervals) sq += (x - mean) * (x - mean);
    const sd = Math.sqrt(sq / intervals.length);
    meanMs = Math.round(mean);
    // All-equal intervals (including all-zero ones) are perfectly regular.
    cv = mean > 0 ? Math.round((sd / mean) * 10_000) / 10_000 : sd === 0 ? 0 : null;
  }

  const ip = ipPrefix(facts.ip);
  const t = facts.payload.timing;

  return {
    v: 1,
    mode,
    ip: { family: ip === null ? null : ip.family, prefix: ip === null ? null : ip.prefix },
    origin: { value: originValue, status: originStatus, canonical },
    page: { origin: pageOrigin, allowed: pageAllowed, sameAsOrigin, seq: facts.payload.seq },
    referrer: { kind: referrerKind, origin: referrerOrigin, matchesOrigin, matchesPage },
    token: {
      status: facts.token.status,
      ageMs: finiteOrNull(facts.token.ageMs),
      ttlMs: finiteOrNull(facts.token.ttlMs),
      required: facts.site.pageTokenRequired,
    },
    attestation: { status: facts.attestation.status },
    timing: {
      nav: t.nav,
      start: t.start,
      checks: t.checks,
      send: t.send,
      ttfb: finiteOrNull(t.ttfb),
      identicalRepeats: facts.cadence.identicalTimings,
    },
    cadence: { lastMinute: facts.cadence.countLastMinute, intervals: intervals.length, meanMs, cv },
    shape: {
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
      casingAtypical,
      missingBrowserHeaders,
      contentType: clip(h.contentType, MAX_CONTENT_TYPE),
      duplicated: h.duplicated,
      headerOrder: h.headerOrder,
    },
  };
}
