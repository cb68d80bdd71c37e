import type { ReasonCode } from './codes.js';

// ---- Outcomes produced elsewhere (keys, attest), scored here ------------------------------------

export type TokenStatus =
  | 'missing'
  | 'valid'
  | 'malformed'
  | 'bad_signature'
  | 'unknown_key'
  | 'revoked_key'
  | 'expired_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_site'
  | 'wrong_origin'
  | 'wrong_path'
  | 'replayed';

export interface TokenOutcome {
  status: TokenStatus;
  /** ms between token issue and arrival */
  ageMs?: number;
  /** token lifetime ms */
  ttlMs?: number;
}

export type AttestationStatus =
  'absent' | 'valid' | 'invalid' | 'double_spent' | 'wrong_origin' | 'expired_key';

export interface AttestationOutcome {
  status: AttestationStatus;
}

export type KeyMode = 'live' | 'test';

/** Everything the beacon knows about one request. Pure data; the beacon gathers it. */
export interface RequestFacts {
  /** node's req.rawHeaders: [name, value, name, value, ...] in arrival order, original casing */
  rawHeaders: string[];
  /** Client IP, for blocklists only; only its /24 (IPv4) or /48 (IPv6) reaches Signals. */
  ip: string;
  payload: {
    url: string;
    ref: string;
    timing: { nav: number; start: number; checks: number; send: number; ttfb?: number };
    seq: number;
    errors?: string[];
  };
  /**
   * `allowedOrigins` is compiled once per array object and cached: treat it as immutable and
   * pass a new array when the site's allowlist changes (the beacon's site cache does).
   */
  site: { id: string; mode: KeyMode; allowedOrigins: string[]; pageTokenRequired: boolean };
  token: TokenOutcome;
  attestation: AttestationOutcome;
  /**
   * Per-visitor-hash history kept by the beacon: arrivals in the last 60 s (before this one),
   * the last <=8 inter-arrival intervals in ms, and how many earlier events of this visitor had
   * exactly the same timing tuple. The beacon observes every arrival, also those its limits then
   * refuse, so a burst is judged on all of it.
   */
  cadence: {
    countLastMinute: number;
    intervalsMs: number[];
    identicalTimings: number;
    /** Earlier arrivals of this visitor in the last 10 s and the last 1 s. */
    countLastTenSeconds?: number;
    countLastSecond?: number;
    /** The same counts for the client address (per site), whatever the user agent. */
    address?: SourceCounts;
    /** How many other addresses of the client's network (IPv4 /24, IPv6 /48) were seen on this site in the same windows. */
    network?: SourceCounts;
  };
}

/** Earlier arrivals from one source in three trailing windows. */
export interface SourceCounts {
  lastSecond: number;
  lastTenSeconds: number;
  lastMinute: number;
}

// ---- Signals: the stored, re-scorable observation of one request ---------------------------------

export type OriginStatus =
  'allowed' | 'not_allowed' | 'loopback_on_live' | 'missing' | 'opaque' | 'malformed';
export type ReferrerKind = 'absent' | 'origin_only' | 'full' | 'malformed';
/** `webkit` covers Safari and every iOS browser (they all run WebKit and send its headers). */
export type UaFamily =
  'chromium' | 'firefox' | 'webkit' | 'library' | 'automation' | 'other' | 'none';
export type LibraryFingerprint = 'curl' | 'python_requests' | 'undici' | 'go_net_http';

/**
 * What `deriveSignals` observed about one request: JSON-safe, stored raw with the event (keys are
 * fixed identifiers, never user text; no nested arrays; no full IP address) and sufficient for
 * `score` to run again later under other rules. Thresholds, weights and lists live in `Rules`,
 * so observations are kept as measured (ages, counts, header values), not as verdicts.
 */
export interface Signals {
  /** Format version of this object. */
  v: 1;
  mode: KeyMode;
  ip: {
    family: 4 | 6 | null;
    /** Network of the client address: `a.b.c.0/24` or `xxxx:xxxx:xxxx::/48`; null if unparsable. */
    prefix: string | null;
  };
  origin: {
    /** Normalised Origin header, or the raw header (at most 200 chars) when it does not parse. */
    value: string | null;
    status: OriginStatus;
    /** The header was byte-identical to its normalised form, as browsers send it (null: no origin to compare). */
    canonical: boolean | null;
  };
  page: {
    /** Origin of the payload's page URL; null when the URL is not http(s). */
    origin: string | null;
    /** Page origin on the site's allowlist (null when there is no page origin). */
    allowed: boolean | null;
    /** Page origin equals the Origin header (null when either is unusable). */
    sameAsOrigin: boolean | null;
    seq: number;
  };
  referrer: {
    kind: ReferrerKind;
    /** Origin of the Referer header; the full referrer URL is not kept. */
    origin: string | null;
    /** Referer origin equals the Origin header (or the page origin without one). */
    matchesOrigin: boolean | null;
    /** For a full-URL Referer: it equals the page URL of the payload. */
    matchesPage: boolean | null;
  };
  token: {
    status: TokenStatus;
    ageMs: number | null;
    ttlMs: number | null;
    /** The site requires a page token (site setting at arrival time). */
    required: boolean;
  };
  attestation: { status: AttestationStatus };
  timing: {
    nav: number;
    start: number;
    checks: number;
    send: number;
    ttfb: number | null;
    /** Earlier events of this visitor with exactly this timing tuple. */
    identicalRepeats: number;
  };
  cadence: {
    /** Arrivals from this visitor hash in the minute before this one. */
    lastMinute: number;
    /** Number of inter-arrival intervals the figures below are computed from (<= 8). */
    intervals: number;
    meanMs: number | null;
    /** Coefficient of variation of the intervals (stddev / mean); 0 when all are equal. */
    cv: number | null;
    /** Arrivals from this visitor hash in the 10 s and the 1 s before this one (absent in events stored before they were observed). */
    lastTenSeconds?: number;
    lastSecond?: number;
    /** Arrivals from the client address (this site, any user agent) before this one. */
    address?: SourceCounts;
    /** Other addresses of the client's network (IPv4 /24, IPv6 /48) seen on this site in each window before this one. */
    network?: SourceCounts;
    /**
     * Present when the event was re-scored in hindsight: a later beacon of the same visitor,
     * address or network showed a burst or a timer this one was part of, and these cadence figures are that
     * later beacon's (see `cadenceReach`).
     */
    later?: { eventId: string };
  };
  shape: {
    /** User-Agent, at most 256 chars ('' when absent). */
    ua: string;
    uaFamily: UaFamily;
    /** Major version of the claimed browser (Safari: the Version/ major). */
    uaMajor: number | null;
    /** The library or automation tool named by the user agent (`curl`, `headlesschrome`…). */
    uaTool: string | null;
    /** The claimed browser always sends Sec-Fetch-* headers. */
    secFetchExpected: boolean;
    secFetchSite: string | null;
    secFetchMode: string | null;
    secFetchDest: string | null;
    secFetchUser: string | null;
    /** The claimed browser sends Sec-CH-UA* client hints to an HTTPS beacon. */
    hintsExpected: boolean;
    hintsPresent: boolean;
    /** Which client hints contradict the user agent: brand_version, platform, mobile, non_chromium, malformed. */
    hintsMismatch: string[];
    fingerprint: LibraryFingerprint | null;
    casingAtypical: boolean;
    /** Browser headers missing for a browser user agent: accept, accept_encoding, accept_language. */
    missingBrowserHeaders: string[];
    contentType: string | null;
    /** Lower-cased names of single-valued headers that arrived more than once. */
    duplicated: string[];
    /** Header names as received, comma-separated (first 40), for forensics and future fingerprints. */
    headerOrder: string;
  };
}

// ---- Scoring output -----------------------------------------------------------------------------

export interface Reason {
  code: ReasonCode;
  /** The weight applied (hard rules report -1: they force the score to 0). */
  weight: number;
  detail: string;
}

export type Verdict = 'trusted' | 'suspect' | 'fraud';

export interface ScoreResult {
  score: number;
  verdict: Verdict;
  reasons: Reason[];
}
