import { LABEL_VALUES, sumCounters, type Database } from '@tagward/db';
import type { Types } from 'mongoose';
import { resolveRange, type RangePreset, type Verdict } from './stats.js';
import { confusion as labelledConfusion } from './moderation/metrics.js';

/**
 * The attestation experiment (docs/attestation.md): a share of a site's page views, the cohort,
 * carries a Privacy Pass token. This compares the cohort with the rest of the traffic.
 *
 * Counts, verdicts, score histograms and attestation outcomes come from the rollups (`cohort*`
 * fields count the cohort; the rest is total minus cohort), summed by the database. Admin labels
 * exist only on events (an admin sets them after the fact), so precision and recall come from
 * the labelled events of the range, counted by a `$group` over the sparse index that holds the
 * labelled events only.
 */

/**
 * The beacon's attester defaults (packages/attest/src/server/attester.ts, `createAttester`:
 * difficultyBits 13, solutions 4, maxTokens 5; the beacon passes TAGWARD_ATTEST_DIFFICULTY_BITS,
 * default 13). The API cannot see the beacon's configuration, so these are the assumption the
 * dashboard states next to the figure.
 */
export const POW_DIFFICULTY_BITS = 13;
export const POW_SOLUTIONS = 4;
export const POW_TOKENS_PER_CHALLENGE = 5;
/**
 * SHA-256 evaluations per second on one core with node:crypto (a plain attacker script), as
 * measured by `npm run bench:pow -w @tagward/attest` (docs/attestation.md, "Sizing").
 */
export const ATTACKER_SHA256_PER_SECOND = 685_300;
export const ATTESTATION_STATUSES = ['valid', 'invalid', 'double_spent', 'wrong_origin', 'expired_key', 'absent'] as const;
export type AttestationStatusName = (typeof ATTESTATION_STATUSES)[number];

const VERDICTS: readonly Verdict[] = ['trusted', 'suspect', 'fraud'];

export interface ConfusionDto {
  /** Labelled fraud, verdict fraud or suspect. */
  tp: number;
  /** Labelled legit, verdict fraud or suspect. */
  fp: number;
  /** Labelled fraud, verdict trusted. */
  fn: number;
  /** Labelled legit, verdict trusted. */
  tn: number;
  labelled: number;
  /** tp / (tp + fp); null when nothing was predicted positive. */
  precision: number | null;
  /** tp / (tp + fn); null when nothing was labelled fraud. */
  recall: number | null;
}

export interface CohortGroupDto {
  events: number;
  verdicts: Record<Verdict, { count: number; share: number }>;
  /** Ten buckets: [0, 0.1) … [0.9, 1]. */
  scoreHistogram: Array<{ from: number; to: number; count: number }>;
  /** Live verdicts against admin labels; null when no event of this group is labelled. */
  labels: ConfusionDto | null;
}

export interface AttackerCostDto {
  difficultyBits: number;
  solutions: number;
  tokensPerChallenge: number;
  sha256PerSecond: number;
  expectedHashesPerToken: number;
  /** CPU seconds on one native core per forged trusted event (one token each). */
  cpuSecondsPerToken: number;
}

export interface CohortsDto {
  range: { from: string; to: string; granularity: 'hour' | 'day'; preset: RangePreset };
  cohortPct: number;
  cohort: CohortGroupDto;
  rest: CohortGroupDto;
  /** Attestation outcomes of the cohort's events in the range (all of them, from the rollups). */
  outcomes: {
    counts: Record<AttestationStatusName, number>;
    /** Events counted (at most `limit`). */
    sampled: number;
    limit: number;
    capped: boolean;
  };
  /** Labelled events read (both groups), at most `limit`. */
  labelSample: { sampled: number; limit: number; capped: boolean };
  attackerCost: AttackerCostDto;
}

/** Events with one verdict and one label (`n` of them; 1 when absent). */
export interface LabelledCount {
  verdict: string;
  label: 'fraud' | 'legit';
  n?: number;
}

interface LabelCount {
  _id: { cohort: boolean; verdict: string; label: string };
  n: number;
}

const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);

/** CPU seconds per forged trusted event: k·2^bits / (rate · tokens per challenge). */
export function attackerCost(
  bits = POW_DIFFICULTY_BITS,
  solutions = POW_SOLUTIONS,
  tokensPerChallenge = POW_TOKENS_PER_CHALLENGE,
  sha256PerSecond = ATTACKER_SHA256_PER_SECOND,
): AttackerCostDto {
  const expectedHashesPerToken = (solutions * 2 ** bits) / tokensPerChallenge;
  return {
    difficultyBits: bits,
    solutions,
    tokensPerChallenge,
    sha256PerSecond,
    expectedHashesPerToken,
    cpuSecondsPerToken: expectedHashesPerToken / sha256PerSecond,
  };
}

/**
 * Precision and recall of the live verdicts: label fraud is the positive class, a verdict of
 * fraud or suspect a positive prediction (both are quarantined or flagged for review).
 */
export function confusion(rows: ReadonlyArray<LabelledCount>): ConfusionDto | null {
  // The moderation metrics' confusion matrix, suspect counted as flagged (as this view shows it).
  const matrix = labelledConfusion(
    rows.map((row) => ({ verdict: row.verdict as Verdict, label: row.label, count: row.n })),
    true,
  );
  if (matrix.labeled === 0) return null;
  const { labeled, ...counts } = matrix;
  return { ...counts, labelled: labeled };
}

function group(events: number, verdicts: number[], hist: number[], labels: ConfusionDto | null): CohortGroupDto {
  return {
    events,
    verdicts: Object.fromEntries(VERDICTS.map((v, i) => [v, { count: verdicts[i]!, share: ratio(verdicts[i]!, events) }])) as CohortGroupDto['verdicts'],
    scoreHistogram: hist.map((count, b) => ({ from: b / 10, to: (b + 1) / 10, count })),
    labels,
  };
}

export async function getCohorts(
  db: Database,
  site: { _id: Types.ObjectId; attestationCohortPct?: number | null },
  options: { now: Date; preset: RangePreset; custom?: { from: Date; to: Date } },
): Promise<CohortsDto> {
  const range = resolveRange(options.now, options.preset, options.custom);
  const siteId = site._id;

  const [totals, labelCounts] = await Promise.all([
    sumCounters(db, siteId, range),
    db.models.Event.aggregate<LabelCount>([
      { $match: { 'label.value': { $in: LABEL_VALUES }, siteId, receivedAt: { $gte: range.from, $lt: range.to } } },
      { $group: { _id: { cohort: '$attestationCohort', verdict: '$verdict', label: '$label.value' }, n: { $sum: 1 } } },
    ]),
  ]);

  const all = { events: totals.total, verdicts: VERDICTS.map((v) => totals.verdicts[v]), hist: totals.scoreHist };
  const cohort = { events: totals.cohort, verdicts: VERDICTS.map((v) => totals.cohortVerdicts[v]), hist: totals.cohortScoreHist };
  const minus = (a: number[], b: number[]) => a.map((x, i) => Math.max(0, x - b[i]!));

  const counts = Object.fromEntries(ATTESTATION_STATUSES.map((s) => [s, totals.cohortAttest[s] ?? 0])) as Record<AttestationStatusName, number>;
  const outcomesCounted = Object.values(counts).reduce((a, b) => a + b, 0);

  const labelled = { cohort: [] as LabelledCount[], rest: [] as LabelledCount[] };
  let labelledEvents = 0;
  for (const row of labelCounts) {
    const value = row._id.label;
    if (value !== 'fraud' && value !== 'legit') continue;
    labelled[row._id.cohort ? 'cohort' : 'rest'].push({ verdict: row._id.verdict, label: value, n: row.n });
    labelledEvents += row.n;
  }

  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), granularity: range.granularity, preset: options.preset },
    cohortPct: site.attestationCohortPct ?? 0,
    cohort: group(cohort.events, cohort.verdicts, cohort.hist, confusion(labelled.cohort)),
    rest: group(Math.max(0, all.events - cohort.events), minus(all.verdicts, cohort.verdicts), minus(all.hist, cohort.hist), confusion(labelled.rest)),
    // Exact counts now (rollups and a $group); `capped` stays in the DTO for the dashboard.
    outcomes: { counts, sampled: outcomesCounted, limit: outcomesCounted, capped: false },
    labelSample: { sampled: labelledEvents, limit: labelledEvents, capped: false },
    attackerCost: attackerCost(),
  };
}
