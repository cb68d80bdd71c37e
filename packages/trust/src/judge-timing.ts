// Judges of the timing and cadence groups: the page's own clock readings and the token's age,
// then how often this visitor (and its address) sent beacons. Each reads only its own fields of
// Signals (see score.ts for why that matters).
import type { Rules } from './rules.js';
import { compile, type CompiledRules, type Tally } from './tally.js';
import type { Signals, SourceCounts } from './types.js';

/** Client timings use -1 for "not measured" (first byte, or load time without Navigation Timing 2). */
function known(x: number | null): x is number {
  return x !== null && x >= 0;
}

/**
 * Navigation Timing defines loadEventEnd as 0 until the load event has completed, and the embed
 * reports -1 without a navigation entry: only a positive value is a finished load to compare.
 */
function loaded(nav: number): boolean {
  return nav > 0;
}

function timingProblem(t: Signals['timing'], tol: number): string | null {
  if (known(t.ttfb) && loaded(t.nav) && t.ttfb > t.nav + tol)
    return `first byte (${t.ttfb} ms) after load end (${t.nav} ms)`;
  if (loaded(t.nav) && known(t.start) && t.start + tol < t.nav)
    return `checks started (${t.start} ms) before load end (${t.nav} ms)`;
  if (known(t.start) && known(t.checks) && known(t.send) && t.send + tol < t.start + t.checks) {
    return `sent (${t.send} ms) before the checks ended (${t.start} + ${t.checks} ms)`;
  }
  return null;
}

/** Readings no browser produces: unmeasured page-clock readings, or values beyond the ranges. */
function outOfRange(t: Signals['timing'], c: CompiledRules): string | null {
  const unmeasured: string[] = [];
  if (t.start < 0) unmeasured.push('start');
  if (t.checks < 0) unmeasured.push('checks');
  if (t.send < 0) unmeasured.push('send');
  if (unmeasured.length > 0)
    return `${unmeasured.join(', ')} reported as not measured; the page's clock always measures them`;
  if (t.nav > c.maxLoadMs) return `load time ${t.nav} ms is beyond the maximum ${c.maxLoadMs} ms`;
  if (t.ttfb !== null && t.ttfb > c.maxLoadMs)
    return `first byte at ${t.ttfb} ms is beyond the maximum load time ${c.maxLoadMs} ms`;
  if (t.checks > c.maxChecksMs)
    return `checks took ${t.checks} ms, beyond the maximum ${c.maxChecksMs} ms`;
  return null;
}

/** The embed rounds every timing to 0.1 ms. */
function finerThanTenths(x: number | null): boolean {
  if (x === null) return false;
  const tenths = x * 10;
  return Math.abs(tenths - Math.round(tenths)) > 1e-6;
}

function unrounded(t: Signals['timing']): boolean {
  return (
    finerThanTenths(t.nav) ||
    finerThanTenths(t.start) ||
    finerThanTenths(t.checks) ||
    finerThanTenths(t.send) ||
    finerThanTenths(t.ttfb)
  );
}

/**
 * Allowance for the clocks of the client's server (which mints) and the beacon (which receives):
 * a page may look this much faster than its token's age before the two readings disagree.
 */
const TOKEN_CLOCK_SLACK_MS = 25;

/**
 * Young tokens. A token is minted before the page's first byte leaves the client's server, so on
 * arrival it is at least as old as the time the page itself measured from its first byte to the
 * send (`send - ttfb`). A token younger than `minTokenAgeMs` is excused only when the page's
 * timings are sound (none of the timing reasons below) and short enough to agree with it: a real
 * page that loads in 30 ms next to its server, and sends when its timings say it did. A script
 * that lifts a token and posts at once with timings copied from a real page (hundreds of ms
 * between first byte and send), or with made-up ones, is not excused.
 */
function judgeTokenAge(
  r: Tally,
  token: Signals['token'],
  timing: Signals['timing'],
  timingSound: boolean,
): void {
  const c = r.c;
  if (token.ageMs !== null && token.ageMs >= 0 && token.ageMs < c.minTokenAgeMs) {
    const pageSpan = timing.send - Math.max(0, timing.ttfb ?? 0);
    if (!timingSound || token.ageMs + TOKEN_CLOCK_SLACK_MS < pageSpan) {
      r.add(
        'token_too_young',
        `token used ${token.ageMs} ms after it was minted (minimum ${c.minTokenAgeMs} ms); the page reports ${Math.round(pageSpan)} ms between its first byte and the send`,
      );
    }
  }
  if (token.ageMs !== null && token.ttlMs !== null && token.ageMs > token.ttlMs) {
    r.add('token_older_than_lifetime', `token ${token.ageMs} ms old, lifetime ${token.ttlMs} ms`);
  }
}

/** `timing` group: the token's age, then the page's own timings. */
export function judgeTiming(s: Signals, r: Tally): void {
  const { timing } = s;
  const c = r.c;
  // A load time of 0 is the spec's "load not finished" (a bounce), not a zero reading.
  const zero = timing.start === 0 || timing.send === 0;
  const disorder = timingProblem(timing, c.toleranceMs);
  const range = outOfRange(timing, c);
  const gap =
    timing.start >= 0 &&
    timing.checks >= 0 &&
    timing.send - (timing.start + timing.checks) > c.maxSendGapMs;
  const fine = unrounded(timing);
  const sound =
    !zero &&
    disorder === null &&
    range === null &&
    !gap &&
    !fine &&
    timing.identicalRepeats === 0 &&
    timing.send > 0;
  judgeTokenAge(r, s.token, timing, sound);
  if (zero)
    r.add('timing_zero', `timings start=${timing.start} send=${timing.send} include an exact 0`);
  if (disorder !== null) r.add('timing_non_monotonic', disorder);
  if (timing.identicalRepeats > 0) {
    r.add(
      'timing_repeated',
      `the same timings were sent ${timing.identicalRepeats} time(s) before by this visitor`,
    );
  }
  if (range !== null) r.add('timing_out_of_range', range);
  if (gap) {
    r.add(
      'timing_send_gap',
      `sent at ${timing.send} ms, ${Math.round(timing.send - timing.start - timing.checks)} ms after the checks ended (maximum ${c.maxSendGapMs} ms)`,
    );
  }
  if (fine) r.add('timing_unrounded', 'a timing has more than the 0.1 ms the embed reports');
}

const WINDOW_MS = { second: 1_000, ten: 10_000, minute: 60_000 } as const;

/** The first window over its threshold: in words, and how far back it reaches. */
function burstWindow(
  counts: { second?: number; ten?: number; minute: number },
  limits: { second: number; ten: number; minute: number },
): { text: string; spanMs: number } | null {
  if (counts.second !== undefined && counts.second >= limits.second)
    return { text: `${counts.second} in the last second (limit ${limits.second})`, spanMs: WINDOW_MS.second };
  if (counts.ten !== undefined && counts.ten >= limits.ten)
    return { text: `${counts.ten} in the last 10 s (limit ${limits.ten})`, spanMs: WINDOW_MS.ten };
  if (counts.minute >= limits.minute)
    return { text: `${counts.minute} in the last minute (limit ${limits.minute})`, spanMs: WINDOW_MS.minute };
  return null;
}

function visitorBurst(cadence: Signals['cadence'], c: CompiledRules) {
  return burstWindow(
    { second: cadence.lastSecond, ten: cadence.lastTenSeconds, minute: cadence.lastMinute },
    { second: c.burstPerSecond, ten: c.burstPerTenSeconds, minute: c.burstPerMinute },
  );
}

function sourceBurst(counts: SourceCounts | undefined, limits: { second: number; ten: number; minute: number }) {
  if (counts === undefined) return null;
  return burstWindow({ second: counts.lastSecond, ten: counts.lastTenSeconds, minute: counts.lastMinute }, limits);
}

const addressBurst = (cadence: Signals['cadence'], c: CompiledRules) =>
  sourceBurst(cadence.address, { second: c.addressBurstPerSecond, ten: c.addressBurstPerTenSeconds, minute: c.addressBurstPerMinute });

const networkBurst = (cadence: Signals['cadence'], c: CompiledRules) =>
  sourceBurst(cadence.network, { second: c.networkBurstPerSecond, ten: c.networkBurstPerTenSeconds, minute: c.networkBurstPerMinute });

function regular(cadence: Signals['cadence'], c: CompiledRules): boolean {
  return cadence.intervals >= c.minIntervals && cadence.cv !== null && cadence.cv <= c.regularCv;
}

/** `cadence` group. */
export function judgeCadence(s: Signals, r: Tally): void {
  const { cadence } = s;
  const c = r.c;
  // An event re-scored in hindsight says so in every cadence reason it gained.
  const seen = cadence.later ? `seen at a later beacon (${cadence.later.eventId}): ` : '';
  const visitor = visitorBurst(cadence, c);
  if (visitor !== null) r.add('cadence_burst', `${seen}earlier beacons from this visitor: ${visitor.text}`);
  if (regular(cadence, c)) {
    r.add(
      'cadence_regular',
      `${seen}${cadence.intervals} intervals of ~${cadence.meanMs} ms vary by only ${cadence.cv} (limit ${c.regularCv})`,
    );
  }
  const address = addressBurst(cadence, c);
  if (address !== null) r.add('cadence_address_burst', `${seen}earlier beacons from this address: ${address.text}`);
  const network = networkBurst(cadence, c);
  if (network !== null) r.add('cadence_network_burst', `${seen}earlier beacons from this network: ${network.text}`);
}

/** How far back (ms) a beacon's cadence findings reach, per source; 0 where nothing was found. */
export interface CadenceReach {
  visitorMs: number;
  addressMs: number;
  networkMs: number;
}

/**
 * How far back the cadence findings of one beacon reach: the earlier arrivals of its visitor
 * (a burst window, or the span of a regular run), of its address and of its network (a burst
 * window each) that were part of what it was flagged for. 0 where nothing was found. The beacon re-scores the earlier
 * events in that reach with these signals: a timer's or a burst's first beacons look like anyone
 * else's until the pattern shows, and then they are known to be part of it.
 *
 * @example
 * cadenceReach(signals, DEFAULT_RULES); // { visitorMs: 2800, addressMs: 0, networkMs: 0 } for a 700 ms timer's fifth beacon
 */
export function cadenceReach(s: Signals, rules: Rules): CadenceReach {
  const c = compile(rules);
  const { cadence } = s;
  const run = regular(cadence, c) && cadence.meanMs !== null ? Math.ceil(cadence.meanMs * (cadence.intervals + 0.5)) : 0;
  return {
    visitorMs: Math.max(run, visitorBurst(cadence, c)?.spanMs ?? 0),
    addressMs: addressBurst(cadence, c)?.spanMs ?? 0,
    networkMs: networkBurst(cadence, c)?.spanMs ?? 0,
  };
}
