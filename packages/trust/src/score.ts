import type { ReasonCode, SignalGroup } from './codes.js';
import { judgeOrigin, judgePageToken, judgeReferrer } from './judge-page.js';
import { judgeCadence, judgeTiming } from './judge-timing.js';
import { judgeAttestation, judgeBlocklists, judgeRequestShape } from './judge-request.js';
import type { Rules } from './rules.js';
import { BP, compile, Tally } from './tally.js';
import type { Reason, ScoreResult, Signals, Verdict } from './types.js';

/** Adds the reasons of one signal group to the tally. */
type Judge = (signals: Signals, tally: Tally) => void;

// One judge per signal group: a group without one does not compile. score() calls them one by
// one, in SIGNAL_GROUPS order (a property test checks the order of the reasons), rather than in
// a loop: eight call sites of one function each let V8 inline them on this hot path.
const JUDGES = {
  origin: judgeOrigin,
  referrer: judgeReferrer,
  page_token: judgePageToken,
  timing: judgeTiming,
  cadence: judgeCadence,
  request_shape: judgeRequestShape,
  attestation: judgeAttestation,
  blocklist: judgeBlocklists,
} satisfies Record<SignalGroup, Judge>;

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
  JUDGES.origin(signals, r);
  JUDGES.referrer(signals, r);
  JUDGES.page_token(signals, r);
  JUDGES.timing(signals, r);
  JUDGES.cadence(signals, r);
  JUDGES.request_shape(signals, r);
  JUDGES.attestation(signals, r);
  JUDGES.blocklist(signals, r);
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
