import { compileOriginAllowlist, type OriginAllowlist } from '@tagward/protocol';
import type { HardReasonCode, ReasonCode, WeightedReasonCode } from './codes.js';
import { WEIGHTED_REASON_CODES } from './codes.js';
import { parseCidr, parseStoredPrefix, prefixInCidr, type CompiledCidr } from './ip.js';
import type { Rules } from './rules.js';
import type {
  AttestationStatus,
  Reason,
  ScoreResult,
  Signals,
  TokenStatus,
  Verdict,
} from './types.js';

/** Rules turned into what the hot path wants: integer basis points, sets, parsed ranges. */
interface CompiledRules {
  base: number;
  trusted: number;
  suspect: number;
  weight: Record<WeightedReasonCode, number>;
  minTokenAgeMs: number;
  toleranceMs: number;
  burstPerMinute: number;
  minIntervals: number;
  regularCv: number;
  contentTypes: Set<string>;
  pageTokenRequired: boolean;
  blockIps: CompiledCidr[];
  blockUserAgents: string[];
  blockOrigins: OriginAllowlist | null;
  blockOriginsText: string[];
}

const BP = 10_000;
const bp = (x: number): number => Math.round(x * BP);

// Compiled once per Rules object. Rules come from the database or applyOverride (memoised),
// so the same object is scored against many times; they are never mutated after parsing.
const compiledCache = new WeakMap<Rules, CompiledRules>();

function compile(rules: Rules): CompiledRules {
  const hit = compiledCache.get(rules);
  if (hit !== undefined) return hit;
  const weight = {} as Record<WeightedReasonCode, number>;
  for (const code of WEIGHTED_REASON_CODES) weight[code] = bp(rules.weights[code] ?? 0);
  const blockIps: CompiledCidr[] = [];
  for (const text of rules.hard.blockIps) {
    const parsed = parseCidr(text);
    if (parsed.ok) blockIps.push(parsed.value);
  }
  const compiled: CompiledRules = {
    base: bp(rules.base),
    trusted: bp(rules.thresholds.trusted),
    suspect: bp(rules.thresholds.suspect),
    weight,
    minTokenAgeMs: rules.timing.minTokenAgeMs,
    toleranceMs: rules.timing.toleranceMs,
    burstPerMinute: rules.cadence.burstPerMinute,
    minIntervals: rules.cadence.minIntervals,
    regularCv: rules.cadence.regularCv,
    contentTypes: new Set(rules.shape.expectedContentTypes),
    pageTokenRequired: rules.hard.pageTokenRequired,
    blockIps,
    blockUserAgents: rules.hard.blockUserAgents.map((s) => s.toLowerCase()),
    blockOrigins:
      rules.hard.blockOrigins.length === 0
        ? null
        : compileOriginAllowlist(rules.hard.blockOrigins, 'test'),
    blockOriginsText: rules.hard.blockOrigins,
  };
  compiledCache.set(rules, compiled);
  return compiled;
}

const TOKEN_CODE: Record<TokenStatus, WeightedReasonCode> = {
  missing: 'page_token_missing',
  valid: 'page_token_valid',
  malformed: 'page_token_malformed',
  bad_signature: 'page_token_bad_signature',
  unknown_key: 'page_token_unknown_key',
  revoked_key: 'page_token_revoked_key',
  expired_key: 'page_token_expired_key',
  expired: 'page_token_expired',
  not_yet_valid: 'page_token_not_yet_valid',
  wrong_site: 'page_token_wrong_site',
  wrong_origin: 'page_token_wrong_origin',
  wrong_path: 'page_token_wrong_path',
  replayed: 'page_token_replayed',
};

const ATTESTATION_CODE: Record<AttestationStatus, WeightedReasonCode> = {
  absent: 'attestation_absent',
  valid: 'attestation_valid',
  invalid: 'attestation_invalid',
  double_spent: 'attestation_double_spent',
  wrong_origin: 'attestation_wrong_origin',
  expired_key: 'attestation_expired_key',
};

const TOKEN_DETAIL: Record<TokenStatus, string> = {
  missing: 'the page carries no page token',
  valid: 'valid page token',
  malformed: 'the page token does not decode',
  bad_signature: 'the page token signature does not verify',
  unknown_key: 'the page token names an unknown key',
  revoked_key: 'the page token was signed with a revoked key',
  expired_key: 'the page token was signed with a retired key',
  expired: 'the page token has expired',
  not_yet_valid: 'the page token is not valid yet',
  wrong_site: 'the page token belongs to another site',
  wrong_origin: 'the page token was minted for another origin',
  wrong_path: 'the page token was minted for another path',
  replayed: 'the page token was already used',
};

const BEACON_SITES = new Set(['cross-site', 'same-site', 'same-origin']);
const BEACON_MODES = new Set(['no-cors', 'cors']);

/** Collects reasons and the running sum; a class, not closures, to keep the hot path lean. */
class Tally {
  sum = 0;
  hard = false;
  readonly reasons: Reason[] = [];
  constructor(private readonly c: CompiledRules) {}

  add(code: WeightedReasonCode, detail: string): void {
    const w = this.c.weight[code];
    // A zero weight switches the reason off entirely: it neither counts nor clutters rollups.
    if (w === 0) return;
    this.sum += w;
    this.reasons.push({ code, weight: w / BP, detail });
  }

  block(code: HardReasonCode, detail: string): void {
    this.hard = true;
    this.reasons.push({ code, weight: -1, detail });
  }
}

function secFetchProblem(s: Signals['shape']): string | null {
  const present =
    (s.secFetchSite !== null ? 1 : 0) +
    (s.secFetchMode !== null ? 1 : 0) +
    (s.secFetchDest !== null ? 1 : 0);
  if (present === 0 && s.secFetchUser === null) return null;
  if (present < 3) return 'only some of Sec-Fetch-Site/Mode/Dest were sent';
  if (!BEACON_SITES.has(s.secFetchSite as string)) return `Sec-Fetch-Site is "${s.secFetchSite}"`;
  if (!BEACON_MODES.has(s.secFetchMode as string)) return `Sec-Fetch-Mode is "${s.secFetchMode}"`;
  if (s.secFetchDest !== 'empty') return `Sec-Fetch-Dest is "${s.secFetchDest}"`;
  if (s.secFetchUser !== null) return 'Sec-Fetch-User is only sent on user-activated navigations';
  return null;
}

/** Client timings use -1 for "not measured". */
function known(x: number | null): x is number {
  return x !== null && x >= 0;
}

function timingProblem(t: Signals['timing'], tol: number): string | null {
  if (known(t.ttfb) && known(t.nav) && t.ttfb > t.nav + tol)
    return `first byte (${t.ttfb} ms) after load end (${t.nav} ms)`;
  if (known(t.nav) && known(t.start) && t.start + tol < t.nav)
    return `checks started (${t.start} ms) before load end (${t.nav} ms)`;
  if (known(t.start) && known(t.checks) && known(t.send) && t.send + tol < t.start + t.checks) {
    return `sent (${t.send} ms) before the checks ended (${t.start} + ${t.checks} ms)`;
  }
  return null;
}

/**
 * Scores one event. Pure and deterministic: the same signals and rules always give the same
 * result, which is what makes live scoring, backtests and tests agree.
 *
 * Every reason is judged from its own fields of `Signals`, independently of the others, so
 * turning one observation from passing to failing can only add penalties (or drop a bonus):
 * with the schema's sign constraints on weights, a failing signal never raises a score.
 *
 * @example
 * const { score: s, verdict, reasons } = score(deriveSignals(facts), DEFAULT_RULES);
 * // s = 0.95, verdict = 'trusted', reasons = [{ code: 'page_token_valid', weight: 0.25, detail: 'valid page token' }]
 */
export function score(signals: Signals, rules: Rules): ScoreResult {
  const c = compile(rules);
  const r = new Tally(c);
  const { origin, page, referrer, token, timing, cadence, shape } = signals;

  // origin
  switch (origin.status) {
    case 'not_allowed':
      r.add('origin_not_allowed', `Origin ${origin.value} is not on the site's allowlist`);
      break;
    case 'loopback_on_live':
      r.add(
        'origin_not_allowed',
        `Origin ${origin.value} is a localhost origin, accepted for test keys only`,
      );
      break;
    case 'missing':
      r.add('origin_missing', 'no Origin header on a cross-site POST');
      break;
    case 'opaque':
      r.add('origin_opaque', 'Origin is "null" (sandboxed frame, file: or data: page)');
      break;
    case 'malformed':
      r.add('origin_malformed', `Origin header "${origin.value}" is not an origin`);
      break;
    default:
      break;
  }
  if (origin.canonical === false) {
    r.add('origin_not_canonical', `Origin "${origin.value}" was not sent in the form browsers use`);
  }
  if (page.origin === null) r.add('page_url_invalid', 'the payload page URL is not an http(s) URL');
  if (page.sameAsOrigin === false)
    r.add(
      'page_origin_mismatch',
      `page URL origin ${page.origin} differs from Origin ${origin.value}`,
    );
  if (
    page.allowed === false &&
    (origin.status === 'missing' || origin.status === 'opaque' || origin.status === 'malformed')
  ) {
    r.add(
      'page_origin_not_allowed',
      `page URL origin ${page.origin} is not on the site's allowlist`,
    );
  }

  // referrer
  if (referrer.kind === 'absent') r.add('referrer_absent', 'no Referer header');
  if (referrer.kind === 'malformed')
    r.add('referrer_origin_mismatch', 'the Referer header is not an http(s) URL');
  else if (referrer.matchesOrigin === false) {
    r.add(
      'referrer_origin_mismatch',
      `Referer origin ${referrer.origin} differs from the sending page's origin`,
    );
  }
  if (referrer.matchesPage === false)
    r.add('referrer_page_mismatch', 'the Referer is another page than the payload URL');

  // page token
  r.add(TOKEN_CODE[token.status], TOKEN_DETAIL[token.status]);
  if ((token.required || c.pageTokenRequired) && token.status !== 'valid') {
    r.block('page_token_required', `a valid page token is required; ${TOKEN_DETAIL[token.status]}`);
  }

  // timing
  if (token.ageMs !== null && token.ageMs >= 0 && token.ageMs < c.minTokenAgeMs) {
    r.add(
      'token_too_young',
      `token used ${token.ageMs} ms after it was minted (minimum ${c.minTokenAgeMs} ms)`,
    );
  }
  if (token.ageMs !== null && token.ttlMs !== null && token.ageMs > token.ttlMs) {
    r.add('token_older_than_lifetime', `token ${token.ageMs} ms old, lifetime ${token.ttlMs} ms`);
  }
  if (timing.nav === 0 || timing.start === 0 || timing.send === 0) {
    r.add(
      'timing_zero',
      `timings nav=${timing.nav} start=${timing.start} send=${timing.send} include an exact 0`,
    );
  }
  const disorder = timingProblem(timing, c.toleranceMs);
  if (disorder !== null) r.add('timing_non_monotonic', disorder);
  if (timing.identicalRepeats > 0) {
    r.add(
      'timing_repeated',
      `the same timings were sent ${timing.identicalRepeats} time(s) before by this visitor`,
    );
  }

  // cadence
  if (cadence.lastMinute >= c.burstPerMinute) {
    r.add(
      'cadence_burst',
      `${cadence.lastMinute} earlier beacons from this visitor in the last minute (limit ${c.burstPerMinute})`,
    );
  }
  if (cadence.intervals >= c.minIntervals && cadence.cv !== null && cadence.cv <= c.regularCv) {
    r.add(
      'cadence_regular',
      `${cadence.intervals} intervals of ~${cadence.meanMs} ms vary by only ${cadence.cv} (limit ${c.regularCv})`,
    );
  }

  // request shape
  const secFetchPresent =
    shape.secFetchSite !== null || shape.secFetchMode !== null || shape.secFetchDest !== null;
  if (shape.secFetchExpected && !secFetchPresent) {
    r.add(
      'sec_fetch_missing',
      `${shape.uaFamily} ${shape.uaMajor ?? ''} sends Sec-Fetch-* headers; none came`,
    );
  }
  const fetchProblem = secFetchProblem(shape);
  if (fetchProblem !== null) r.add('sec_fetch_inconsistent', fetchProblem);
  if (shape.hintsExpected && !shape.hintsPresent) {
    r.add(
      'client_hints_missing',
      `Chromium ${shape.uaMajor ?? ''} sends Sec-CH-UA client hints; none came`,
    );
  }
  if (shape.hintsMismatch.length > 0) {
    r.add(
      'client_hints_mismatch',
      `client hints disagree with the User-Agent: ${shape.hintsMismatch.join(', ')}`,
    );
  }
  switch (shape.uaFamily) {
    case 'none':
      r.add('ua_missing', 'no User-Agent header');
      break;
    case 'library':
      r.add('ua_http_library', `User-Agent of an HTTP client (${shape.uaTool})`);
      break;
    case 'automation':
      r.add('ua_automation', `User-Agent declares automation or a crawler (${shape.uaTool})`);
      break;
    case 'other':
      r.add('ua_not_browser', 'User-Agent resembles no known browser');
      break;
    default:
      break;
  }
  if (shape.fingerprint !== null)
    r.add('headers_library_fingerprint', `header order and casing of ${shape.fingerprint}`);
  if (shape.casingAtypical)
    r.add('header_casing_atypical', `header casing unlike ${shape.uaFamily} over HTTP/1.1`);
  if (shape.missingBrowserHeaders.length > 0) {
    r.add(
      'browser_headers_missing',
      `a browser would have sent: ${shape.missingBrowserHeaders.join(', ')}`,
    );
  }
  if (shape.contentType === null || !c.contentTypes.has(shape.contentType)) {
    r.add('content_type_atypical', `Content-Type "${shape.contentType ?? ''}"`);
  }
  if (shape.duplicated.length > 0)
    r.add('header_duplicated', `sent more than once: ${shape.duplicated.join(', ')}`);

  // attestation
  r.add(
    ATTESTATION_CODE[signals.attestation.status],
    `attestation ${signals.attestation.status.replace('_', ' ')}`,
  );

  // blocklists
  if (c.blockIps.length > 0 && signals.ip.prefix !== null) {
    const client = parseStoredPrefix(signals.ip.prefix);
    if (client !== null) {
      for (const cidr of c.blockIps) {
        if (prefixInCidr(client, cidr)) {
          r.block(
            'blocked_ip',
            `client network ${signals.ip.prefix} is in blocked range ${cidr.text}`,
          );
          break;
        }
      }
    }
  }
  if (c.blockUserAgents.length > 0 && shape.ua !== '') {
    const ua = shape.ua.toLowerCase();
    for (const pattern of c.blockUserAgents) {
      if (ua.includes(pattern)) {
        r.block('blocked_user_agent', `User-Agent contains blocked text "${pattern}"`);
        break;
      }
    }
  }
  if (c.blockOrigins !== null) {
    const hit =
      origin.value !== null && c.blockOrigins.allows(origin.value)
        ? origin.value
        : page.origin !== null && c.blockOrigins.allows(page.origin)
          ? page.origin
          : null;
    if (hit !== null) r.block('blocked_origin', `${hit} matches a blocked origin`);
  }

  const total = r.hard ? 0 : Math.min(BP, Math.max(0, c.base + r.sum));
  const verdict: Verdict =
    total >= c.trusted ? 'trusted' : total >= c.suspect ? 'suspect' : 'fraud';
  return { score: total / BP, verdict, reasons: r.reasons };
}

/**
 * The codes of a reason list (for rollups and backtests).
 *
 * @example
 * reasonCodes(score(signals, rules).reasons); // ['page_token_valid']
 */
export function reasonCodes(reasons: readonly Reason[]): ReasonCode[] {
  return reasons.map((x) => x.code);
}
