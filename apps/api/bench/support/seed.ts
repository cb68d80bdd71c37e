/**
 * Seeding for the API benches: events exactly as the beacon stores them (signals derived by the
 * trust engine from its captured client fixtures and scored with the shipped rules, through
 * `eventDocument` of test/moderation-support.ts), and their rollups through `addToIncrements`
 * and `writeRollups` from @tagward/db, the functions the beacon's group commit uses. Nothing
 * here builds either format by hand.
 *
 * Inserts are unordered `insertMany` batches with a few in flight, so that the next batch is
 * built (on this process's core) while the server stores the previous ones (on the other).
 */
import { addToIncrements, emptyIncrements, writeRollups, type Database } from '@tagward/db';
import type { AttestationStatus } from '@tagward/trust';
import { Types } from 'mongoose';
import { eventDocument, rng, scenarioPicker, signalsFor, type Scenario } from '../../test/moderation-support.js';

export interface SeedPlan {
  sites: Types.ObjectId[];
  count: number;
  /** Events are spread evenly over [from, to), oldest first, as a beacon stores them. */
  from: Date;
  to: Date;
  seed?: number;
  /** Share of events drawn into the attestation cohort (default 0.05). */
  cohortShare?: number;
  /** One event in `labelEvery` carries an admin label (default: none). */
  labelEvery?: number;
  /** Whether events carry the embed script's DOM check results (default: yes). */
  withChecks?: boolean;
  batch?: number;
  inFlight?: number;
  onProgress?: (stored: number, seconds: number) => void;
}

export interface SeedResult {
  events: number;
  /** Seconds to build and insert the events. */
  insertS: number;
  /** Seconds the rollup writes went on after the last event was stored. */
  rollupS: number;
  /** Rollup upserts sent (a bucket touched by two chunks counts twice). */
  rollupDocs: number;
}

/** The embed script's checks (check-labels.ts) with a pass rate each, as a real site shows. */
const CHECKS: Array<[id: string, passRate: number]> = [
  ['title', 0.99],
  ['title_length', 0.8],
  ['description', 0.9],
  ['description_length', 0.6],
  ['html_lang', 0.95],
  ['viewport', 0.98],
  ['canonical', 0.85],
  ['indexable', 0.97],
  ['og_basics', 0.7],
  ['h1_single', 0.75],
  ['heading_order', 0.6],
  ['img_alt', 0.55],
  ['link_text', 0.8],
  ['jsonld', 0.5],
  ['jsonld_valid', 0.45],
];

/** 200 pages; a few get most of the views (Zipf-like), as on a shop. */
export const PATHS = Array.from({ length: 200 }, (_, i) =>
  i === 0 ? '/' : i < 120 ? `/products/item-${i}` : i < 180 ? `/blog/post-${i - 120}` : `/help/topic-${i - 180}`,
);

/** Attestation outcomes of cohort events: mostly valid tokens, a tail of failures. */
const COHORT_OUTCOMES: Array<[AttestationStatus, number]> = [
  ['valid', 0.85],
  ['absent', 0.08],
  ['invalid', 0.03],
  ['double_spent', 0.02],
  ['wrong_origin', 0.01],
  ['expired_key', 0.01],
];

/** Scenarios that are real browsers: an admin labels them legit, the scripted rest fraud. */
const BROWSERS = new Set(['chromium', 'chromium-token', 'chromium-keepalive', 'android', 'firefox', 'safari']);

function weighted<T>(table: Array<[T, number]>, r: number): T {
  for (const [value, weight] of table) {
    r -= weight;
    if (r < 0) return value;
  }
  return table[table.length - 1]![0];
}

/** Signals of a scenario with an attestation outcome, derived once per pair. */
function cohortSignals(): (scenario: Scenario, status: AttestationStatus) => ReturnType<typeof signalsFor> {
  const cache = new Map<string, ReturnType<typeof signalsFor>>();
  return (scenario, status) => {
    const key = `${scenario.name}:${status}`;
    let signals = cache.get(key);
    if (!signals) {
      signals = signalsFor({ ...scenario, facts: { ...scenario.facts, attestation: { status } } });
      cache.set(key, signals);
    }
    return signals;
  };
}

/** A factory of stored event documents for the plan, deterministic for a seed. */
function eventFactory(plan: SeedPlan) {
  const pick = scenarioPicker(plan.seed ?? 1);
  const random = rng((plan.seed ?? 1) + 7);
  const withAttestation = cohortSignals();
  const cohortShare = plan.cohortShare ?? 0.05;
  const labeller = new Types.ObjectId();
  const span = plan.to.getTime() - plan.from.getTime();
  return (i: number) => {
    const { scenario, signals } = pick();
    const cohort = random() < cohortShare;
    const path = PATHS[Math.min(PATHS.length - 1, Math.floor(PATHS.length * random() ** 3))]!;
    const receivedAt = new Date(plan.from.getTime() + Math.floor((i / plan.count) * span));
    const labelled = plan.labelEvery !== undefined && i % plan.labelEvery === 0;
    return eventDocument({
      siteId: plan.sites[i % plan.sites.length]!,
      receivedAt,
      signals: cohort ? withAttestation(scenario, weighted(COHORT_OUTCOMES, random())) : signals,
      path,
      attestationCohort: cohort,
      checks: plan.withChecks === false ? [] : CHECKS.map(([id, rate]) => ({ id, pass: random() < rate, value: null })),
      label: labelled ? { value: BROWSERS.has(scenario.name) ? 'legit' : 'fraud', by: labeller, at: receivedAt } : null,
    });
  };
}

/** Events whose rollup increments are written together, while the next events are inserted. */
const ROLLUP_CHUNK = 100_000;

/**
 * Stores the plan's events and their rollups; returns the time each part took. The rollups of
 * each 100k events are written while the next ones are inserted: the server locks writes per
 * collection, so the two go side by side, and the rollups' `$inc` upserts (the slow part, one
 * commit each) do not wait until every event is in.
 */
export async function seedBenchEvents(db: Database, plan: SeedPlan): Promise<SeedResult> {
  const batchSize = plan.batch ?? 5_000;
  const inFlight = plan.inFlight ?? 4;
  const make = eventFactory(plan);
  let increments = emptyIncrements();
  let rollupDocs = 0;
  // One rollup write at a time, each after the one before.
  let rollups: Promise<void> = Promise.resolve();
  const flushRollups = () => {
    const chunk = increments;
    increments = emptyIncrements();
    rollupDocs += Object.values(chunk).reduce((sum, map) => sum + map.size, 0);
    rollups = rollups.then(() => writeRollups(db, chunk));
    // Handled here so a failure does not end the process before the finally that drops the database.
    rollups.catch(() => undefined);
  };
  const pending = new Set<Promise<unknown>>();
  const started = performance.now();
  let stored = 0;
  let reported = 0;
  for (let done = 0; done < plan.count; ) {
    const n = Math.min(batchSize, plan.count - done);
    const docs = [];
    for (let i = 0; i < n; i += 1) {
      const doc = make(done + i);
      addToIncrements(increments, doc);
      docs.push(doc);
    }
    done += n;
    const insert = db.models.Event.collection.insertMany(docs, { ordered: false }).then(() => {
      stored += docs.length;
      pending.delete(insert);
      if (stored - reported >= 100_000 || stored === plan.count) {
        reported = stored;
        plan.onProgress?.(stored, (performance.now() - started) / 1000);
      }
    });
    pending.add(insert);
    if (done % ROLLUP_CHUNK === 0) flushRollups();
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
  const insertS = (performance.now() - started) / 1000;
  flushRollups();
  const waited = performance.now();
  await rollups;
  return { events: stored, insertS, rollupS: (performance.now() - waited) / 1000, rollupDocs };
}
