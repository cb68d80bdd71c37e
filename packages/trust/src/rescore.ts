import type { ReasonCode } from './codes.js';
import type { Rules } from './rules.js';
import { score } from './score.js';
import type { Reason, Signals, Verdict } from './types.js';

export interface StoredEvent {
  id: string;
  signals: Signals;
  score: number;
  verdict: Verdict;
  reasons: Reason[];
}

export interface FlippedEvent {
  id: string;
  before: { score: number; verdict: Verdict; reasons: ReasonCode[] };
  after: { score: number; verdict: Verdict; reasons: Reason[] };
}

export interface ReasonDelta {
  code: ReasonCode;
  /** Events carrying this reason as stored. */
  before: number;
  /** Events carrying it under the new rules. */
  after: number;
  delta: number;
}

/** What a rule change would do to stored events. JSON-safe (reason codes are values, not keys). */
export interface BacktestSummary {
  total: number;
  before: Record<Verdict, number>;
  after: Record<Verdict, number>;
  /** Events whose verdict changes. */
  flipped: number;
  /** Non-empty verdict transitions, in a fixed order (trusted→suspect, trusted→fraud, …). */
  transitions: Array<{ from: Verdict; to: Verdict; count: number }>;
  /** Up to `sampleSize` flipped events, largest score change first (ties by id). */
  sample: FlippedEvent[];
  /** Per reason code, ordered by the size of the change, then by code. */
  reasonDeltas: ReasonDelta[];
  meanScore: { before: number; after: number };
}

const VERDICTS: Verdict[] = ['trusted', 'suspect', 'fraud'];

function emptyCounts(): Record<Verdict, number> {
  return { trusted: 0, suspect: 0, fraud: 0 };
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/**
 * Re-scores stored events under new rules and summarises the difference: the backtest behind
 * the moderation view. Pure and deterministic (ties in the sample are broken by id).
 *
 * @example
 * const summary = rescore(events, candidateRules, { sampleSize: 10 });
 * summary.after.fraud - summary.before.fraud; // how many more events the new rules quarantine
 */
export function rescore(
  events: ReadonlyArray<StoredEvent>,
  rules: Rules,
  options: { sampleSize?: number } = {},
): BacktestSummary {
  const sampleSize = Math.max(0, Math.floor(options.sampleSize ?? 20));
  const before = emptyCounts();
  const after = emptyCounts();
  const transitions = new Map<string, number>();
  const reasonBefore = new Map<ReasonCode, number>();
  const reasonAfter = new Map<ReasonCode, number>();
  const sample: Array<FlippedEvent & { change: number }> = [];
  let flipped = 0;
  let sumBefore = 0;
  let sumAfter = 0;

  for (const event of events) {
    const result = score(event.signals, rules);
    before[event.verdict] += 1;
    after[result.verdict] += 1;
    sumBefore += event.score;
    sumAfter += result.score;
    // Count each code once per event, even if a reason list repeats it.
    for (const code of new Set(event.reasons.map((x) => x.code)))
      reasonBefore.set(code, (reasonBefore.get(code) ?? 0) + 1);
    for (const code of new Set(result.reasons.map((x) => x.code)))
      reasonAfter.set(code, (reasonAfter.get(code) ?? 0) + 1);
    if (result.verdict === event.verdict) continue;
    flipped += 1;
    const key = `${event.verdict}>${result.verdict}`;
    transitions.set(key, (transitions.get(key) ?? 0) + 1);
    if (sampleSize === 0) continue;
    const change = Math.abs(result.score - event.score);
    const last = sample[sample.length - 1];
    if (
      sample.length === sampleSize &&
      last !== undefined &&
      (change < last.change || (change === last.change && event.id >= last.id))
    ) {
      continue;
    }
    const entry = {
      id: event.id,
      change,
      before: {
        score: event.score,
        verdict: event.verdict,
        reasons: event.reasons.map((x) => x.code),
      },
      after: result,
    };
    let at = sample.length;
    while (at > 0) {
      const prev = sample[at - 1] as FlippedEvent & { change: number };
      if (prev.change > change || (prev.change === change && prev.id < event.id)) break;
      at -= 1;
    }
    sample.splice(at, 0, entry);
    if (sample.length > sampleSize) sample.pop();
  }

  const codes = new Set<ReasonCode>([...reasonBefore.keys(), ...reasonAfter.keys()]);
  const reasonDeltas: ReasonDelta[] = [...codes].map((code) => {
    const b = reasonBefore.get(code) ?? 0;
    const a = reasonAfter.get(code) ?? 0;
    return { code, before: b, after: a, delta: a - b };
  });
  reasonDeltas.sort(
    (x, y) =>
      Math.abs(y.delta) - Math.abs(x.delta) || (x.code < y.code ? -1 : x.code > y.code ? 1 : 0),
  );

  const transitionList: BacktestSummary['transitions'] = [];
  for (const from of VERDICTS) {
    for (const to of VERDICTS) {
      const count = transitions.get(`${from}>${to}`);
      if (count !== undefined) transitionList.push({ from, to, count });
    }
  }

  const total = events.length;
  return {
    total,
    before,
    after,
    flipped,
    transitions: transitionList,
    sample: sample.map(({ id, before: b, after: a }) => ({ id, before: b, after: a })),
    reasonDeltas,
    meanScore: {
      before: total === 0 ? 0 : round4(sumBefore / total),
      after: total === 0 ? 0 : round4(sumAfter / total),
    },
  };
}
