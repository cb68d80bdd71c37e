import type { Database } from '@tagward/db';
import type { Types } from 'mongoose';
import { resolveRange, type RangePreset, type StatsRange, type Verdict } from './stats.js';

/**
 * The attestation experiment (docs/attestation.md): a share of a site's page views, the cohort,
 * carries a Privacy Pass token. This compares the cohort with the rest of the traffic.
 *
 * Counts, verdicts and score histograms come from the rollups (`cohort*` fields count the
 * cohort; the rest is total minus cohort). Attestation outcomes and admin labels exist only on
 * events, so they come from a capped sample of events, summed here: FerretDB 1.x computes only
 * the first `$sum` of a `$group`, and refuses `$elemMatch`.
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
/** Events read for attestation outcomes and for labels, at most (newest first). */
export const EVENT_SAMPLE_LIMIT = 5000;

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
  /** Attestation outcomes of the cohort's newest events in the range (a capped sample). */
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

interface CohortCounters {
  total?: number;
  verdicts?: Partial<Record<string, number>>;
  scoreHist?: Partial<Record<string, number>>;
  cohort?: number;
  cohortVerdicts?: Partial<Record<string, number>>;
  cohortScoreHist?: Partial<Record<string, number>>;
}

/** The projected event fields, as stored (raw signals and labels are free-form documents). */
interface OutcomeRow {
  signals?: { attestation?: { status?: unknown } };
}
interface LabelRow {
  attestationCohort?: boolean;
  verdict: string;
  label?: { value?: unknown } | null;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
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
export function confusion(rows: ReadonlyArray<{ verdict: string; label: 'fraud' | 'legit' }>): ConfusionDto | null {
  if (rows.length === 0) return null;
  const c = { tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const row of rows) {
    const predicted = row.verdict === 'fraud' || row.verdict === 'suspect';
    if (row.label === 'fraud') c[predicted ? 'tp' : 'fn'] += 1;
    else c[predicted ? 'fp' : 'tn'] += 1;
  }
  return {
    ...c,
    labelled: rows.length,
    precision: c.tp + c.fp > 0 ? c.tp / (c.tp + c.fp) : null,
    recall: c.tp + c.fn > 0 ? c.tp / (c.tp + c.fn) : null,
  };
}

async function readRollups(db: Database, siteId: Types.ObjectId, range: StatsRange): Promise<CohortCounters[]> {
  const projection = { _id: 0, total: 1, verdicts: 1, scoreHist: 1, cohort: 1, cohortVerdicts: 1, cohortScoreHist: 1 };
  if (range.granularity === 'day') {
    const days = await db.models.DailyRollup.find({ siteId, day: { $gte: range.from, $lt: range.to } }, projection).lean();
    // No daily documents: fall back to the hourly ones (same sums), as stats.overview does.
    if (days.length > 0) return days as CohortCounters[];
  }
  return (await db.models.HourlyRollup.find({ siteId, hour: { $gte: range.from, $lt: range.to } }, projection).lean()) as CohortCounters[];
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
  const inRange = { siteId, receivedAt: { $gte: range.from, $lt: range.to } };

  const [rollups, outcomeRows, labelRows] = await Promise.all([
    readRollups(db, siteId, range),
    db.models.Event.find({ ...inRange, attestationCohort: true }, { _id: 0, 'signals.attestation.status': 1 })
      .sort({ receivedAt: -1 })
      .limit(EVENT_SAMPLE_LIMIT)
      .lean() as Promise<OutcomeRow[]>,
    db.models.Event.find({ ...inRange, label: { $ne: null } }, { _id: 0, attestationCohort: 1, verdict: 1, 'label.value': 1 })
      .sort({ receivedAt: -1 })
      .limit(EVENT_SAMPLE_LIMIT)
      .lean() as Promise<LabelRow[]>,
  ]);

  const all = { events: 0, verdicts: [0, 0, 0], hist: new Array<number>(10).fill(0) };
  const cohort = { events: 0, verdicts: [0, 0, 0], hist: new Array<number>(10).fill(0) };
  for (const row of rollups) {
    all.events += num(row.total);
    cohort.events += num(row.cohort);
    VERDICTS.forEach((v, i) => {
      all.verdicts[i]! += num(row.verdicts?.[v]);
      cohort.verdicts[i]! += num(row.cohortVerdicts?.[v]);
    });
    for (let b = 0; b < 10; b++) {
      all.hist[b]! += num(row.scoreHist?.[`b${b}`]);
      cohort.hist[b]! += num(row.cohortScoreHist?.[`b${b}`]);
    }
  }
  const minus = (a: number[], b: number[]) => a.map((x, i) => Math.max(0, x - b[i]!));

  const counts = Object.fromEntries(ATTESTATION_STATUSES.map((s) => [s, 0])) as Record<AttestationStatusName, number>;
  for (const row of outcomeRows) {
    const status = row.signals?.attestation?.status;
    // An event without a recorded outcome (older beacon) had no token to check: absent.
    const key = typeof status === 'string' && status in counts ? (status as AttestationStatusName) : 'absent';
    counts[key] += 1;
  }

  const labelled = { cohort: [] as Array<{ verdict: string; label: 'fraud' | 'legit' }>, rest: [] as Array<{ verdict: string; label: 'fraud' | 'legit' }> };
  for (const row of labelRows) {
    const value = row.label?.value;
    if (value !== 'fraud' && value !== 'legit') continue;
    labelled[row.attestationCohort ? 'cohort' : 'rest'].push({ verdict: row.verdict, label: value });
  }

  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), granularity: range.granularity, preset: options.preset },
    cohortPct: site.attestationCohortPct ?? 0,
    cohort: group(cohort.events, cohort.verdicts, cohort.hist, confusion(labelled.cohort)),
    rest: group(Math.max(0, all.events - cohort.events), minus(all.verdicts, cohort.verdicts), minus(all.hist, cohort.hist), confusion(labelled.rest)),
    outcomes: { counts, sampled: outcomeRows.length, limit: EVENT_SAMPLE_LIMIT, capped: outcomeRows.length >= EVENT_SAMPLE_LIMIT },
    labelSample: { sampled: labelRows.length, limit: EVENT_SAMPLE_LIMIT, capped: labelRows.length >= EVENT_SAMPLE_LIMIT },
    attackerCost: attackerCost(),
  };
}
