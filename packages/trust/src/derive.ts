import {
  compileOriginAllowlist,
  isLoopbackHost,
  parseOrigin,
  type OriginAllowlist,
} from '@tagward/protocol';
import { scanHeaders, type HeaderScan } from './headers.js';
import { ipPrefix } from './ip.js';
import type { KeyMode, RequestFacts, Signals } from './types.js';
import { clip, deriveShape } from './derive-shape.js';
import { originOfUrl, serializeOrigin, stripFragment, type OriginParse } from './url-origin.js';

const MAX_RAW_ORIGIN = 200;

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

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** The Origin header judged, and its parse when it is a real origin (for the URLs below). */
interface OriginFacts {
  signals: Signals['origin'];
  parse: OriginParse | null;
  /** The header names a real origin (on the allowlist or not). */
  usable: boolean;
}

function deriveOrigin(
  header: string | null,
  mode: KeyMode,
  allowlist: OriginAllowlist,
): OriginFacts {
  if (header === null) {
    return {
      signals: { value: null, status: 'missing', canonical: null },
      parse: null,
      usable: false,
    };
  }
  if (header === 'null') {
    return {
      signals: { value: 'null', status: 'opaque', canonical: null },
      parse: null,
      usable: false,
    };
  }
  const parsed = parseOrigin(header);
  if (parsed === null) {
    const value = clip(header, MAX_RAW_ORIGIN);
    return { signals: { value, status: 'malformed', canonical: null }, parse: null, usable: false };
  }
  const canonical = parsed.canonical;
  const value = canonical ? header : serializeOrigin(parsed.scheme, parsed.host, parsed.port);
  const status =
    mode === 'live' && isLoopbackHost(parsed.host)
      ? 'loopback_on_live'
      : allowlist.allowsCanonical(value)
        ? 'allowed'
        : 'not_allowed';
  return {
    signals: { value, status, canonical },
    parse: { origin: value, host: parsed.host },
    usable: true,
  };
}

/** The page URL of the payload, against the allowlist and the Origin header. */
function derivePage(
  page: OriginParse | null,
  origin: OriginFacts,
  mode: KeyMode,
  allowlist: OriginAllowlist,
  seq: number,
): Signals['page'] {
  if (page === null) return { origin: null, allowed: null, sameAsOrigin: null, seq };
  const allowed =
    !(mode === 'live' && isLoopbackHost(page.host)) && allowlist.allowsCanonical(page.origin);
  const sameAsOrigin = origin.usable ? page.origin === origin.signals.value : null;
  return { origin: page.origin, allowed, sameAsOrigin, seq };
}

/** The Referer header: its origin against the sender's, and a full URL against the page URL. */
function deriveReferrer(
  header: string | null,
  page: OriginParse | null,
  origin: OriginFacts,
  pageUrl: string,
): Signals['referrer'] {
  if (header === null)
    return { kind: 'absent', origin: null, matchesOrigin: null, matchesPage: null };
  const ref = originOfUrl(header, page ?? origin.parse);
  if (ref === null)
    return { kind: 'malformed', origin: null, matchesOrigin: null, matchesPage: null };
  const kind = header === `${ref.origin}/` ? 'origin_only' : 'full';
  const against = origin.usable ? origin.signals.value : page === null ? null : page.origin;
  return {
    kind,
    origin: ref.origin,
    matchesOrigin: against === null ? null : ref.origin === against,
    matchesPage: kind === 'full' ? header === stripFragment(pageUrl) : null,
  };
}

/** The visitor's last <= 8 inter-arrival intervals, summarised. */
function deriveCadence(c: RequestFacts['cadence']): Signals['cadence'] {
  const intervals = c.intervalsMs.length > 8 ? c.intervalsMs.slice(-8) : c.intervalsMs;
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
  const out: Signals['cadence'] = {
    lastMinute: c.countLastMinute,
    intervals: intervals.length,
    meanMs,
    cv,
  };
  if (c.countLastTenSeconds !== undefined) out.lastTenSeconds = c.countLastTenSeconds;
  if (c.countLastSecond !== undefined) out.lastSecond = c.countLastSecond;
  if (c.address !== undefined) out.address = { ...c.address };
  if (c.network !== undefined) out.network = { ...c.network };
  return out;
}

function deriveTiming(facts: RequestFacts): Signals['timing'] {
  const t = facts.payload.timing;
  return {
    nav: t.nav,
    start: t.start,
    checks: t.checks,
    send: t.send,
    ttfb: finiteOrNull(t.ttfb),
    identicalRepeats: facts.cadence.identicalTimings,
  };
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
  const h: HeaderScan = scanHeaders(facts.rawHeaders);
  const mode = facts.site.mode;
  const allowlist = allowlistFor(facts.site.allowedOrigins, mode);
  const origin = deriveOrigin(h.origin, mode, allowlist);
  const page = originOfUrl(facts.payload.url, origin.parse);
  const ip = ipPrefix(facts.ip);
  return {
    v: 1,
    mode,
    ip: { family: ip === null ? null : ip.family, prefix: ip === null ? null : ip.prefix },
    origin: origin.signals,
    page: derivePage(page, origin, mode, allowlist, facts.payload.seq),
    referrer: deriveReferrer(h.referer, page, origin, facts.payload.url),
    token: {
      status: facts.token.status,
      ageMs: finiteOrNull(facts.token.ageMs),
      ttlMs: finiteOrNull(facts.token.ttlMs),
      required: facts.site.pageTokenRequired,
    },
    attestation: { status: facts.attestation.status },
    timing: deriveTiming(facts),
    cadence: deriveCadence(facts.cadence),
    shape: deriveShape(h),
  };
}
