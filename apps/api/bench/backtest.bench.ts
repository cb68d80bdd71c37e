/**
 * `npm run bench:backtest`: re-scores N stored events (TAGWARD_BENCH_EVENTS, default 1,000,000)
 * with a draft, through the real API: an admin starts the job with `moderation.startBacktest`
 * over HTTP, and the job runs in the API process as it does in production.
 *
 * Seeds three sites over 7 days (bench/support/seed.ts: realistic signals, scored and stored in
 * the beacon's format, with their rollups, which give the job its progress estimate). While the
 * job runs it samples the API process's event-loop delay (monitorEventLoopDelay) and keeps a
 * dashboard client asking for the job's progress and a site's 24-hour overview, timing each
 * answer: the API must stay responsive during a backtest. Then it times the scoring alone on the
 * same mix in memory, which shows how the job splits between reading and scoring.
 *
 * Then, as the baseline of the same run, it reads the same window with the job's reader alone.
 *
 * Runs in a throwaway database, dropped at the end. Last line:
 * `bench backtest: events=<n> total_s=<n> ms_per_100k=<n> read_only_s=<n> job_vs_read=<ratio>`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Types } from 'mongoose';
import { DEFAULT_RULES, rescore, type Rules, type StoredEvent } from '@tagward/trust';
import { DAY_MS } from '@tagward/db';
import { SLICE_EVENTS, waitForBacktest } from '../src/services/moderation/backtest.js';
import { readEventBatches } from '../src/services/moderation/backtest-reader.js';
import { createSite, eventDocument, scenarioPicker } from '../test/moderation-support.js';
import { startBenchApi, type BenchClient } from './support/bench-api.js';
import { seedBenchEvents } from './support/seed.js';
import { log, ms, percentile } from './support/timing.js';

const N = Number(process.env.TAGWARD_BENCH_EVENTS ?? 1_000_000);
/** How often the dashboard client asks while the job runs. */
const PROBE_EVERY_MS = 100;

/** The draft under test: harsher on automation, blind to library header fingerprints. */
const DRAFT: Rules = { ...DEFAULT_RULES, weights: { ...DEFAULT_RULES.weights, ua_automation: -0.5, headers_library_fingerprint: 0 } };

const per100k = (ms: number, n: number) => Math.round((ms / Math.max(n, 1)) * 100_000);

/** Scoring alone: the same mix of events, in memory, in batches of 1000 as the job reads them. */
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

/** Asks what the dashboard asks during a backtest, one request at a time, until stopped. */
function probe(admin: BenchClient, owner: BenchClient, jobId: () => string | null, siteId: string) {
  const latencies: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const id = jobId();
      const calls: Array<() => Promise<unknown>> = [() => owner.stats.overview.query({ siteId, preset: '24h' })];
      if (id) calls.push(() => admin.moderation.backtest.query({ jobId: id }));
      for (const call of calls) {
        const started = performance.now();
        await call();
        latencies.push(performance.now() - started);
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
    }
  })();
  return {
    latencies,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

const bench = await startBenchApi('backtest');
try {
  const admin = await bench.signUp('bench-admin@example.com');
  await bench.makeAdmin(admin);
  const owner = await bench.signUp('bench-owner@example.com');
  const { site } = await owner.trpc.sites.create.mutate({ name: 'Bench shop 1', mode: 'live' });
  const sites = [new Types.ObjectId(site.id), ...(await Promise.all(['Bench shop 2', 'Bench shop 3'].map((name) => createSite(bench.db, name))))];
  const to = new Date();
  const from = new Date(to.getTime() - 7 * DAY_MS);

  // The draft first: a refusal (admins need two-factor) shows before minutes of seeding.
  await admin.trpc.moderation.saveDraft.mutate({ scope: 'global', rules: DRAFT as unknown as Record<string, unknown> });
  log(`bench backtest: seeding ${N.toLocaleString('en')} events over 7 days on 3 sites into ${bench.dbName}…`);
  const seeded = await seedBenchEvents(bench.db, {
    sites,
    count: N,
    from,
    to,
    onProgress: (stored, s) => log(`  ${stored.toLocaleString('en')} stored (${s.toFixed(0)} s)`),
  });
  log(`seeded (not timed): ${seeded.events.toLocaleString('en')} events in ${seeded.insertS.toFixed(1)} s (${Math.round(seeded.events / seeded.insertS)} events/s), rollups in ${seeded.rollupS.toFixed(1)} s`);

  let jobId: string | null = null;
  const probes = probe(admin.trpc, owner.trpc, () => jobId, site.id);
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const job = await admin.trpc.moderation.startBacktest.mutate({ window: { from: from.toISOString(), to: new Date(to.getTime() + 60_000).toISOString() } });
  jobId = job.id;
  await waitForBacktest(job.id);
  const jobMs = performance.now() - started;
  delay.disable();
  await probes.stop();

  const result = await admin.trpc.moderation.backtest.query({ jobId: job.id });
  if (result.status !== 'done' || !result.result) throw new Error(`backtest ended ${result.status}: ${result.error ?? ''}`);
  const r = result.result;
  log(`backtest: ${result.processed.toLocaleString('en')} events in ${(jobMs / 1000).toFixed(1)} s (${Math.round(result.processed / (jobMs / 1000))} events/s)`);
  log(`  before ${JSON.stringify(r.before)} after ${JSON.stringify(r.after)} flipped ${r.flipped} skipped ${r.skipped}`);
  log(
    `event loop delay in the API process during the job: p50=${ms(delay.percentile(50) / 1e6)} ms p99=${ms(delay.percentile(99) / 1e6)} ms max=${ms(delay.max / 1e6)} ms`,
  );
  const lat = probes.latencies;
  log(
    `dashboard requests answered during the job (progress poll + 24h overview, every ${PROBE_EVERY_MS} ms): n=${lat.length} p50=${ms(percentile(lat, 50))} ms p99=${ms(percentile(lat, 99))} ms max=${ms(Math.max(...lat))} ms`,
  );

  // The baseline: the job's own reader over the same window, nothing else (no scoring, no
  // progress writes, no summary). The job cannot be faster than this on this database.
  const readStarted = performance.now();
  let read = 0;
  const windowTo = new Date(to.getTime() + 60_000);
  for await (const rows of readEventBatches(bench.db, { from, to: windowTo, estimate: seeded.events, batchSize: 1_000, sliceEvents: SLICE_EVENTS })) read += rows.length;
  const readMs = performance.now() - readStarted;
  log(`reading alone (the job's reader, same window): ${read.toLocaleString('en')} events in ${(readMs / 1000).toFixed(1)} s (${Math.round(read / (readMs / 1000))} events/s); the job takes ${(jobMs / readMs).toFixed(2)}× that`);

  const scoringN = Math.min(N, 100_000);
  const scorePer100k = per100k(timeScoringOnly(scoringN), scoringN);
  const jobPer100k = per100k(jobMs, result.processed);
  log(`scoring only (in memory, same mix, ${scoringN.toLocaleString('en')} events): ${scorePer100k} ms per 100k; the job: ${jobPer100k} ms per 100k, the rest is reading`);
  log(`bench backtest: events=${result.processed} total_s=${(jobMs / 1000).toFixed(1)} ms_per_100k=${jobPer100k} read_only_s=${(readMs / 1000).toFixed(1)} job_vs_read=${(jobMs / readMs).toFixed(2)}`);
} finally {
  await bench.close();
}
