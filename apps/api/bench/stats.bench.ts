import { pino } from 'pino';
/**
 * bench:stats — how long the dashboard's 30-day overview takes, and that it depends on the
 * number of time buckets, not on the number of events.
 *
 * Seeds two sites over the same 30 days, one with 100k events and one with 1M: raw events go
 * into the events collection in bulk, and rollups are kept with `$inc` upserts per batch, as the
 * beacon's group commit does (hourly, daily, per path). Then times `stats.overview` through the
 * tRPC caller (site lookup and permission check included) for each site and range.
 *
 * Runs against MONGODB_URI if set, else the embedded server (FerretDB here), in a throwaway
 * database that is dropped at the end. Last line: `bench stats: events=<n> overview_ms=<n>`.
 */
import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { CHECK_IDS } from '@tagward/protocol';
import { apiConfigSchema } from '../src/config.js';
import { appRouter } from '../src/router/root.js';
import { createCallerFactory } from '../src/trpc.js';
import { createContextInner } from '../src/context.js';
import { createServices } from '../src/services/index.js';
import { addToIncrements, emptyIncrements, writeRollups } from '@tagward/db';
import { DAY_MS, toEventDoc, type FakeEvent, type FakeEventDoc } from '../test/support/record-events.js';

const SIZES = [100_000, 1_000_000];
/**
 * Raw events stored per site: all of the small one, a tenth of the large one. The overview never
 * reads raw events (that is the point), and storing 1.1M of them takes ~15 min on FerretDB here;
 * `--all-raw` stores every one.
 */
const RAW_EVERY = process.argv.includes('--all-raw') ? [1, 1] : [1, 10];
const DAYS = 30;
const BATCH = 5_000;
const PATHS = Array.from({ length: 40 }, (_, i) => (i === 0 ? '/' : `/products/item-${i}`));
const CHECKS = CHECK_IDS;
const PENALTIES = ['referrer_absent', 'page_token_missing', 'client_hints_missing', 'origin_not_allowed', 'cadence_burst', 'ua_http_library', 'sec_fetch_missing', 'timing_repeated', 'page_token_replayed', 'headers_library_fingerprint'];

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Deterministic pseudo-random numbers, so both runs see the same kind of traffic. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeEvent(rand: () => number, at: number): FakeEvent {
  const r = rand();
  const verdict = r < 0.8 ? 'trusted' : r < 0.95 ? 'suspect' : 'fraud';
  const score = verdict === 'trusted' ? 0.7 + rand() * 0.3 : verdict === 'suspect' ? 0.3 + rand() * 0.4 : rand() * 0.3;
  const reasons = [];
  const n = verdict === 'trusted' ? (rand() < 0.3 ? 1 : 0) : 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) reasons.push({ code: PENALTIES[Math.floor(rand() * PENALTIES.length)]!, weight: -0.1 - rand() * 0.5 });
  // Zipf-like: a few pages get most views.
  const path = PATHS[Math.min(PATHS.length - 1, Math.floor(PATHS.length * rand() ** 3))]!;
  return {
    receivedAt: new Date(at),
    path,
    verdict,
    score,
    reasons,
    checks: CHECKS.map((id) => ({ id, pass: rand() < 0.85 })),
    tokenValid: rand() < 0.4,
    attestationCohort: rand() < 0.05,
    signals: {
      v: 1,
      mode: 'live',
      origin: { value: 'https://shop.example', status: 'allowed', canonical: true },
      shape: { ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36', uaFamily: 'chromium', headerOrder: 'host,connection,content-length,sec-ch-ua,origin,content-type' },
      timing: { nav: 800 + rand() * 400, start: 900, checks: 3, send: 910, ttfb: 120, identicalRepeats: 0 },
    },
  };
}

/**
 * Seeds one site. Raw events: every `rawEvery`-th event is stored (all of them with 1), in bulk.
 * Rollups: the increments of every event, accumulated as the beacon's batches accumulate them,
 * then written once as the documents (same `_id`s, same fields) its `$inc` upserts end up as.
 * Upserting them batch by batch, as the beacon does live, is dominated by FerretDB's per-operation
 * cost here (a first version filtering on `{siteId, hour}` had seeded 10k events after 15 min);
 * what the overview reads is identical either way.
 */
async function seed(
  db: Awaited<ReturnType<typeof connectDatabase>>,
  siteId: Types.ObjectId,
  events: number,
  rawEvery: number,
  end: number,
): Promise<{ seconds: number; raw: number }> {
  const rand = rng(events);
  const start = end - DAYS * DAY_MS;
  const step = (DAYS * DAY_MS) / events;
  const t0 = performance.now();
  const rollups = emptyIncrements();
  let docs: FakeEventDoc[] = [];
  let raw = 0;
  for (let i = 0; i < events; i++) {
    const event = makeEvent(rand, Math.floor(start + i * step));
    const doc = toEventDoc(siteId, event);
    addToIncrements(rollups, doc);
    if (i % rawEvery === 0) docs.push(doc);
    if (docs.length === BATCH || (i === events - 1 && docs.length)) {
      await db.models.Event.collection.insertMany(docs, { ordered: false });
      raw += docs.length;
      docs = [];
      if ((raw / BATCH) % 25 === 0) log(`  ${raw.toLocaleString('en')} raw events stored (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    }
  }
  await writeRollups(db, rollups);
  return { seconds: (performance.now() - t0) / 1000, raw };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const handle = await resolveDatabase(process.env.MONGODB_URI, { log });
const dbName = `tagward_bench_${randomBytes(4).toString('hex')}`;
const db = await connectDatabase(handle.uri, dbName);
try {
  await ensureIndexes(db);
  const config = apiConfigSchema.parse({ masterKey: generateMasterKey(), logLevel: 'silent' });
  const user = await db.models.User.create({ email: 'bench@example.com', passwordHash: 'x' });
  const now = new Date();
  const end = now.getTime();
  const sites: Array<{ events: number; siteId: Types.ObjectId; seedS: number }> = [];
  for (const [index, events] of SIZES.entries()) {
    const site = await db.models.Site.create({
      name: `bench ${events}`,
      publicKey: `pk_live_${randomBytes(12).toString('hex')}`,
      mode: 'live',
      members: [{ userId: user._id, role: 'owner' }],
    });
    log(`seeding ${events.toLocaleString('en')} events over ${DAYS} days…`);
    const seeded = await seed(db, site._id, events, RAW_EVERY[index] ?? 1, end);
    sites.push({ events, siteId: site._id, seedS: seeded.seconds });
  }
  const counts = {
    events: await db.models.Event.estimatedDocumentCount(),
    hourly: await db.models.HourlyRollup.countDocuments({}),
    daily: await db.models.DailyRollup.countDocuments({}),
    paths: await db.models.PathRollup.countDocuments({}),
    dailyPaths: await db.models.DailyPathRollup.countDocuments({}),
  };

  const caller = createCallerFactory(appRouter)(
    createContextInner({
      db,
      config,
      services: createServices(db, config, pino({ level: 'silent' })),
      session: { id: 'bench', userId: String(user._id), createdAt: now, expiresAt: new Date(end + DAY_MS), absoluteExpiresAt: new Date(end + DAY_MS), reauthAt: now },
      user: { id: String(user._id), email: user.email, role: 'user', emailVerified: true, twoFactor: false },
      now: () => now,
    }),
  );
  const input = (siteId: Types.ObjectId, preset: '24h' | '7d' | '30d') => ({ siteId: siteId.toHexString(), preset, includeSuspect: true });
  /**
   * Median of up to 10 timed runs after 2 warm-up runs; slow ranges stop after ~15 s of timing
   * (at least 3 runs), which keeps the whole bench within a few minutes.
   */
  const time = async (fn: () => Promise<unknown>) => {
    await fn();
    await fn();
    const runs: number[] = [];
    const started = performance.now();
    while (runs.length < 10 && (runs.length < 3 || performance.now() - started < 15_000)) {
      const t = performance.now();
      await fn();
      runs.push(performance.now() - t);
    }
    return median(runs);
  };

  console.log(`database: ${process.env.MONGODB_URI ? 'MONGODB_URI' : 'embedded server'} (${dbName})`);
  console.log(`stored: ${counts.events.toLocaleString('en')} raw events; ${SIZES.reduce((a, b) => a + b, 0).toLocaleString('en')} events counted in rollup docs hourly=${counts.hourly} daily=${counts.daily} paths=${counts.paths} dailyPaths=${counts.dailyPaths}`);
  console.log('events\tseed_s\trange\tbuckets\tin_range\toverview_ms\ttop_pages_ms\tboth_concurrent_ms');
  const results = new Map<string, number>();
  for (const { events, siteId, seedS } of sites) {
    for (const preset of ['30d', '7d', '24h'] as const) {
      const overview = await caller.stats.overview(input(siteId, preset));
      const overviewMs = await time(() => caller.stats.overview(input(siteId, preset)));
      const topMs = await time(() => caller.stats.topPages(input(siteId, preset)));
      const bothMs = await time(() => Promise.all([caller.stats.overview(input(siteId, preset)), caller.stats.topPages(input(siteId, preset))]));
      results.set(`${events}:${preset}`, overviewMs);
      console.log(
        `${events}\t${seedS.toFixed(0)}\t${preset}\t${overview.series.length}\t${overview.totals.all}\t${overviewMs.toFixed(1)}\t${topMs.toFixed(1)}\t${bothMs.toFixed(1)}`,
      );
    }
  }
  const small = results.get(`${SIZES[0]}:30d`)!;
  const large = results.get(`${SIZES[1]}:30d`)!;
  console.log(`30-day overview, ${SIZES[1]! / SIZES[0]!}x the events, same buckets: ${(large / small).toFixed(2)}x the time`);
  console.log(`bench stats: events=${SIZES[1]} overview_ms=${Math.round(large)}`);
} finally {
  await db.conn.dropDatabase().catch(() => undefined);
  await db.close();
  await handle.release();
}
