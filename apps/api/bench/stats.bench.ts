/**
 * `npm run bench:stats`: every dashboard view of one site holding 1,000,000 stored events.
 *
 * Seeds one site with N events over the last 30 days (TAGWARD_BENCH_EVENTS, default 1,000,000),
 * every one stored, with their rollups (bench/support/seed.ts: the beacon's document format and
 * the rollup functions it uses). Then times each view through the real API over HTTP (Express,
 * session cookie, tRPC, the services, the database), one request per call, the way a browser
 * asks: a warm-up, then repeated calls, median and p95 per view.
 *
 * The reasons panel has no request of its own: its figures are the `reasons` field of
 * `stats.overview` (summed from the rollups), so its row times that request.
 *
 * Runs in a throwaway database, dropped at the end. Last line:
 * `bench stats: events=<n> overview_ms=<30-day overview median> worst_view=<name> worst_ms=<median>`.
 */
import { Types } from 'mongoose';
import { DAY_MS } from '@tagward/db';
import { startBenchApi } from './support/bench-api.js';
import { dashboardViews } from './support/stats-views.js';
import { seedBenchEvents } from './support/seed.js';
import { log, ms, timeRepeated, type Timing } from './support/timing.js';

const N = Number(process.env.TAGWARD_BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.TAGWARD_BENCH_RUNS ?? 20);
const WARMUP = 3;
const bench = await startBenchApi('stats');
try {
  const owner = await bench.signUp('bench-owner@example.com');
  const { site } = await owner.trpc.sites.create.mutate({ name: 'Bench shop', mode: 'live' });
  const siteId = new Types.ObjectId(site.id);
  const to = new Date();
  log(`bench stats: seeding ${N.toLocaleString('en')} events over 30 days into ${bench.dbName}…`);
  const seeded = await seedBenchEvents(bench.db, {
    sites: [siteId],
    count: N,
    from: new Date(to.getTime() - 30 * DAY_MS),
    to,
    labelEvery: 500,
    onProgress: (stored, s) => log(`  ${stored.toLocaleString('en')} stored (${s.toFixed(0)} s)`),
  });
  const stored = await bench.db.models.Event.countDocuments({ siteId });
  log(
    `seeded: ${stored.toLocaleString('en')} events stored in ${seeded.insertS.toFixed(1)} s (${Math.round(stored / seeded.insertS)} events/s), ` +
      `${seeded.rollupDocs.toLocaleString('en')} rollup documents written in ${seeded.rollupS.toFixed(1)} s`,
  );

  const t = owner.trpc;
  const first = await t.events.list.query({ siteId: site.id, limit: 50 });
  const old = await t.events.list.query({ siteId: site.id, limit: 1, to: new Date(to.getTime() - 29 * DAY_MS).toISOString() });
  const overview = await t.stats.overview.query({ siteId: site.id, preset: '30d' });
  const reasons = overview.reasons;
  const ids = { recent: first.items[0]!.id, old: old.items[0]!.id };
  const reasonCodes = { common: reasons[0]!.code, rare: reasons[reasons.length - 1]!.code };
  log(`30-day overview counts ${overview.totals.all.toLocaleString('en')} events; ${reasons.length} reason codes (most ${reasonCodes.common} ${reasons[0]!.count}, least ${reasonCodes.rare} ${reasons[reasons.length - 1]!.count})`);

  log(`\ntimed over HTTP (tRPC client -> Express -> services -> database), ${WARMUP} warm-up + ${RUNS} runs each, ms:`);
  log(['view', 'median', 'p95', 'min', 'max', 'what'].join('\t'));
  const results: Array<{ name: string; timing: Timing }> = [];
  for (const view of dashboardViews(t, owner.batched, site.id, ids, reasonCodes)) {
    const timing = await timeRepeated(view.call, { warmup: WARMUP, runs: RUNS });
    results.push({ name: view.name, timing });
    log([view.name, ms(timing.median), ms(timing.p95), ms(timing.min), ms(timing.max), view.what].join('\t'));
  }
  const worst = results.reduce((a, b) => (b.timing.median > a.timing.median ? b : a));
  const overview30 = results.find((r) => r.name === 'overview_30d')!;
  log(`worst by p95: ${results.reduce((a, b) => (b.timing.p95 > a.timing.p95 ? b : a)).name}`);
  log(
    `bench stats: events=${stored} overview_ms=${Math.round(overview30.timing.median)} worst_view=${worst.name} worst_ms=${Math.round(worst.timing.median)}`,
  );
} finally {
  await bench.close();
}
