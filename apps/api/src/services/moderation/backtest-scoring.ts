import { applyOverride, rescore, type BacktestSummary, type Rules, type StoredEvent } from '@tagward/trust';
import type { BacktestAccumulator } from './backtest-summary.js';
import type { EventRow } from './backtest-reader.js';
import type { DraftSnapshot } from './rules.js';

/** How a backtest re-scores what it reads: per site, with the draft's rules for that site. */

function isScorable(signals: unknown): boolean {
  return typeof signals === 'object' && signals !== null && (signals as { v?: unknown }).v === 1;
}

/** The rules a site's events are re-scored with: the draft global merged with its override. */
export function rulesResolver(snapshot: DraftSnapshot): (siteId: string) => Rules {
  const overrides = new Map(snapshot.overrides.map((o) => [o.siteId, o.rules]));
  const merged = new Map<string, Rules>();
  return (siteId) => {
    let rules = merged.get(siteId);
    if (!rules) {
      const override = overrides.get(siteId);
      rules = override ? applyOverride(snapshot.global.rules, override) : snapshot.global.rules;
      merged.set(siteId, rules);
    }
    return rules;
  };
}

/** Scores one batch, grouped by site. A group that throws is retried event by event. */
export function scoreBatch(rows: ReadonlyArray<EventRow>, rulesFor: (siteId: string) => Rules, acc: BacktestAccumulator, sampleSize: number): void {
  const groups = new Map<string, StoredEvent[]>();
  let skipped = 0;
  for (const row of rows) {
    if (!isScorable(row.signals) || !row.verdict) {
      skipped += 1;
      continue;
    }
    const siteId = String(row.siteId);
    let group = groups.get(siteId);
    if (!group) groups.set(siteId, (group = []));
    group.push({
      id: String(row._id),
      signals: row.signals as StoredEvent['signals'],
      score: row.score,
      verdict: row.verdict,
      reasons: Array.isArray(row.reasons) ? row.reasons : [],
    });
  }
  for (const [siteId, events] of groups) {
    const rules = rulesFor(siteId);
    let summary: BacktestSummary | null;
    try {
      summary = rescore(events, rules, { sampleSize });
    } catch {
      summary = null;
    }
    if (summary) {
      acc.add(siteId, summary);
      continue;
    }
    // Some stored signals in this group do not fit the engine: score one by one, skip the bad ones.
    for (const event of events) {
      try {
        acc.add(siteId, rescore([event], rules, { sampleSize }));
      } catch {
        skipped += 1;
      }
    }
  }
  acc.addSkipped(skipped);
}
