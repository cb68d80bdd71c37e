/**
 * `npm run bench:backtest`: seeds N realistic events (signals derived from the trust engine's
 * captured client fixtures) in a bench database on the embedded server (or MONGODB_URI), then
 * runs a moderation backtest through the same job code the API runs, and prints the time per
 * 100k events. In the same run it times the scoring alone on the same events in memory, so the
 * split between database reads and scoring is visible, and it samples the event-loop delay while
 * the job runs (the API must keep answering during a backtest).
 *
 * TAGWARD_BENCH_EVENTS sets N (default 50000, so that the run stays within a few minutes on the
 * embedded FerretDB/SQLite, where inserting and scanning cost about 1 ms per event on two shared
 * cores; the job is linear in N, so ms_per_100k holds for larger windows). The insert rate is
 * printed too.
 */
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Types } from 'mongoose';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { DEFAULT_RULES, rescore, type Rules, type StoredEvent } from '@tagward/trust';
import { getBacktest, startBacktest, waitForBacktest } from '../src/services/moderation/backtest.js';
import { saveDraft } from '../src/services/moderation/rules.js';
import { createSite, eventDocument, scenarioPicker, seedEvents } from '../test/moderation-support.js';

const N = Number(process.env.TAGWARD_BENCH_EVENTS ?? 50_000);
const HOUR = 3_600_000;

/** The draft under test: harsher on automation, blind to library header fingerprints. */
const DRAFT: Rules = { ...DEFAULT_RULES, weights: { ...DEFAULT_RULES.weights, ua_automation: -0.5, headers_library_fingerprint: 0 } };

const per100k = (ms: number, n: number) => Math.round((ms / Math.max(n, 1)) * 100_000);

function line(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Scoring alone: the same mix of events, in memory, in batches of 1000 as the job does. */
function timeScoringOnly(n: number): number {
  const pick = scenarioPicker(1);
  const site = new Types.ObjectId();
  const events: StoredEvent[] = [];
  for (let i = 0; i < n; i += 1) {
    const doc = eventDocument({ siteId: site, receivedAt: new Date(0), signals: pick().signals });
    events.push({ id: String(doc._id), signals: doc.signals, score: doc.score, verdict: doc.verdict, reasons: doc.reasons });
  }
  const started = performance.now();
  for (let i = 0; i < events.length; i += 1000) rescore(events.slice(i, i + 1000), DRAFT, { sampleSize: 50 });
  return performance.now() - started;
}

async function main(): Promise<void> {
  const handle = await resolveDatabase(process.env.MONGODB_URI);
  const dbName = `tw_bench_backtest_${randomBytes(3).toString('hex')}`;
  const db = await connectDatabase(handle.uri, dbName);
  try {
    await ensureIndexes(db);
    const admin = await db.models.User.create({ email: 'bench-admin@example.com', passwordHash: 'x', role: 'admin' });
    const actor = { id: String(admin._id) };
    const sites = await Promise.all(['Bench shop 1', 'Bench shop 2', 'Bench shop 3'].map((name) => createSite(db, name)));
    const now = new Date();
    const from = new Date(now.getTime() - 7 * 24 * HOUR);

    line(`bench backtest: seeding ${N} events into ${dbName} (FerretDB/SQLite inserts are the slow part)…`);
    const insertStarted = performance.now();
    let lastReport = 0;
    await seedEvents(db, {
      count: N,
      sites,
      from,
      to: now,
      batch: 5_000,
      onBatch: (done) => {
        if (done - lastReport >= 25_000 || done === N) {
          lastReport = done;
          line(`  inserted ${done}`);
        }
      },
    });
    const insertMs = performance.now() - insertStarted;
    line(`insert: ${N} events in ${(insertMs / 1000).toFixed(1)} s = ${Math.round(N / (insertMs / 1000))} events/s`);

    await saveDraft(db, actor, 'global', DRAFT, now);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    const job = await startBacktest(db, actor, { from, to: new Date(now.getTime() + 60_000) }, now);
    await waitForBacktest(job.id);
    const jobMs = performance.now() - started;
    delay.disable();
    const result = await getBacktest(db, job.id, new Date());
    if (result.status !== 'done' || !result.result) throw new Error(`backtest ended ${result.status}: ${result.error ?? ''}`);
    const r = result.result;
    line(`backtest: ${result.processed} events in ${(jobMs / 1000).toFixed(1)} s; before ${JSON.stringify(r.before)} after ${JSON.stringify(r.after)} flipped ${r.flipped}`);
    line(`event loop delay during the job: p50=${(delay.percentile(50) / 1e6).toFixed(1)} ms p99=${(delay.percentile(99) / 1e6).toFixed(1)} ms max=${(delay.max / 1e6).toFixed(1)} ms`);

    const scoringN = Math.min(N, 100_000);
    const scoringMs = timeScoringOnly(scoringN);
    const jobPer100k = per100k(jobMs, result.processed);
    const scorePer100k = per100k(scoringMs, scoringN);
    line(`scoring only (in memory, same mix, ${scoringN} events): ${scorePer100k} ms per 100k; the rest of the job is reading from the database`);
    line(`extrapolated 1M events: ~${Math.round((jobPer100k * 10) / 1000)} s of job time, the API answering in between`);
    line(`bench backtest: events=${result.processed} ms_per_100k=${jobPer100k}`);
  } finally {
    await db.conn.dropDatabase().catch(() => undefined);
    await db.close();
    await handle.release();
  }
}

await main();
