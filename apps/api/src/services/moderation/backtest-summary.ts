import type { BacktestSummary, FlippedEvent, Verdict } from '@tagward/trust';
import type { BacktestCounts, VerdictCounts } from './dto.js';

/**
 * Adds up the trust engine's `rescore` summaries, one per (batch, site) group, into the summary of
 * a whole backtest plus the per-site verdict totals that show how each owner's charts would move.
 * Pure, so the merge is tested without a database.
 */

export const VERDICTS: readonly Verdict[] = ['trusted', 'suspect', 'fraud'];

export function emptyCounts(): VerdictCounts {
  return { trusted: 0, suspect: 0, fraud: 0 };
}

export interface SampledFlip extends FlippedEvent {
  siteId: string;
  change: number;
}

export interface AccumulatedResult extends BacktestCounts {
  reasonDeltas: Array<{ code: string; before: number; after: number; delta: number }>;
  meanScore: { before: number; after: number };
  sample: SampledFlip[];
  sites: Array<{ siteId: string; total: number; before: VerdictCounts; after: VerdictCounts }>;
}

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

function addCounts(into: VerdictCounts, from: VerdictCounts): void {
  for (const v of VERDICTS) into[v] += from[v];
}

/** Same order as `rescore`: biggest score change first, ties by id. */
function compareFlips(a: SampledFlip, b: SampledFlip): number {
  return b.change - a.change || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export class BacktestAccumulator {
  private total = 0;
  private skipped = 0;
  private readonly before = emptyCounts();
  private readonly after = emptyCounts();
  private flipped = 0;
  private readonly transitions = new Map<string, number>();
  private readonly reasons = new Map<string, { before: number; after: number }>();
  private sumBefore = 0;
  private sumAfter = 0;
  private sample: SampledFlip[] = [];
  private readonly sites = new Map<string, { total: number; before: VerdictCounts; after: VerdictCounts }>();

  constructor(private readonly sampleSize: number) {}

  get processed(): number {
    return this.total + this.skipped;
  }

  add(siteId: string, summary: BacktestSummary): void {
    this.total += summary.total;
    addCounts(this.before, summary.before);
    addCounts(this.after, summary.after);
    this.flipped += summary.flipped;
    for (const t of summary.transitions) {
      const key = `${t.from}>${t.to}`;
      this.transitions.set(key, (this.transitions.get(key) ?? 0) + t.count);
    }
    for (const r of summary.reasonDeltas) {
      const entry = this.reasons.get(r.code) ?? { before: 0, after: 0 };
      entry.before += r.before;
      entry.after += r.after;
      this.reasons.set(r.code, entry);
    }
    // `rescore` reports means rounded to 1e-4; weighted by count they add up within that precision.
    this.sumBefore += summary.meanScore.before * summary.total;
    this.sumAfter += summary.meanScore.after * summary.total;
    const site = this.sites.get(siteId) ?? { total: 0, before: emptyCounts(), after: emptyCounts() };
    site.total += summary.total;
    addCounts(site.before, summary.before);
    addCounts(site.after, summary.after);
    this.sites.set(siteId, site);
    if (this.sampleSize > 0 && summary.sample.length > 0) {
      const flips = summary.sample.map((f) => ({ ...f, siteId, change: Math.abs(f.after.score - f.before.score) }));
      this.sample = [...this.sample, ...flips].sort(compareFlips).slice(0, this.sampleSize);
    }
  }

  addSkipped(count: number): void {
    this.skipped += count;
  }

  result(): AccumulatedResult {
    const transitions: AccumulatedResult['transitions'] = [];
    for (const from of VERDICTS) {
      for (const to of VERDICTS) {
        const count = this.transitions.get(`${from}>${to}`);
        if (count !== undefined) transitions.push({ from, to, count });
      }
    }
    const reasonDeltas = [...this.reasons].map(([code, r]) => ({ code, before: r.before, after: r.after, delta: r.after - r.before }));
    reasonDeltas.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
    const sites = [...this.sites].map(([siteId, s]) => ({ siteId, total: s.total, before: { ...s.before }, after: { ...s.after } }));
    sites.sort((a, b) => b.total - a.total || (a.siteId < b.siteId ? -1 : 1));
    return {
      total: this.total,
      skipped: this.skipped,
      before: { ...this.before },
      after: { ...this.after },
      flipped: this.flipped,
      transitions,
      reasonDeltas,
      meanScore: {
        before: this.total === 0 ? 0 : round4(this.sumBefore / this.total),
        after: this.total === 0 ? 0 : round4(this.sumAfter / this.total),
      },
      sample: this.sample.map((f) => ({ ...f })),
      sites,
    };
  }
}
