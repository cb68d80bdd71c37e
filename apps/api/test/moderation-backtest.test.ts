import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { DEFAULT_RULES, score, type Rules } from '@tagward/trust';
import type { Types } from 'mongoose';
import { cancelBacktest, estimateEvents, getBacktest, listBacktests, startBacktest, stopAllBacktests, waitForBacktest } from '../src/services/moderation/backtest.js';
import { BacktestAccumulator } from '../src/services/moderation/backtest-summary.js';
import { saveDraft, publishDraft } from '../src/services/moderation/rules.js';
import { SCENARIOS, createSite, eventDocument, seedEvents, signalsFor, type Scenario } from './moderation-support.js';

let db: TestDatabase;
let admin: { id: string };
let shopA: Types.ObjectId;
let shopB: Types.ObjectId;
const HOUR = 3_600_000;
const now = new Date('2026-03-10T12:00:00Z');
const scenario = (name: string): Scenario => SCENARIOS.find((s) => s.name === name)!;

beforeAll(async () => {
  db = await createTestDatabase('moderation_backtest');
  const user = await db.models.User.create({ email: 'bt-admin@example.com', passwordHash: 'x', role: 'admin' });
  admin = { id: String(user._id) };
  shopA = await createSite(db, 'Shop A');
  shopB = await createSite(db, 'Shop B');
});
afterAll(async () => {
  await stopAllBacktests();
  await db?.dispose();
});
beforeEach(async () => {
  await stopAllBacktests();
  // Dropping is instant; deleting thousands of documents one by one is not.
  await db.models.Event.collection.drop().catch(() => undefined);
  await db.models.BacktestJob.deleteMany({});
  await db.models.RulesVersion.deleteMany({});
  await db.models.AuditLog.deleteMany({});
});

/** Stores `count` events of a scenario on a site at a time, scored with the live defaults. */
async function store(site: Types.ObjectId, name: string, count: number, receivedAt = new Date(now.getTime() - HOUR)) {
  const signals = signalsFor(scenario(name));
  const docs = Array.from({ length: count }, () => eventDocument({ siteId: site, receivedAt, signals }));
  await db.models.Event.collection.insertMany(docs);
  return docs;
}

async function runToEnd(window = { from: new Date(now.getTime() - 24 * HOUR), to: now }) {
  const job = await startBacktest(db, admin, window, now, { batchSize: 7, progressEveryMs: 0 });
  await waitForBacktest(job.id);
  return getBacktest(db, job.id, now);
}

/** Harsher on automation user agents, blind to library header fingerprints: flips both ways. */
const DRAFT: Rules = { ...DEFAULT_RULES, weights: { ...DEFAULT_RULES.weights, ua_automation: -0.5, headers_library_fingerprint: 0 } };

describe('backtest counts on a small known set', () => {
  test('the stored events of the window are re-scored with the draft and the flips counted', async () => {
    const live = (name: string) => score(signalsFor(scenario(name)), DEFAULT_RULES);
    const draft = (name: string) => score(signalsFor(scenario(name)), DRAFT);
    // The premise, checked rather than assumed: headless Chromium goes suspect -> fraud, python
    // dressed as Chrome fraud -> suspect, everything else keeps its verdict.
    expect([live('headless').verdict, draft('headless').verdict]).toEqual(['suspect', 'fraud']);
    expect([live('python-dressed').verdict, draft('python-dressed').verdict]).toEqual(['fraud', 'suspect']);
    for (const name of ['chromium', 'chromium-token', 'wrong-origin']) expect(draft(name).verdict).toBe(live(name).verdict);

    await store(shopA, 'chromium', 10);
    const headless = await store(shopA, 'headless', 4);
    const dressed = await store(shopB, 'python-dressed', 3);
    await store(shopB, 'chromium-token', 5);
    await store(shopB, 'wrong-origin', 2);
    // Outside the window: must not be counted.
    await store(shopA, 'headless', 6, new Date(now.getTime() - 48 * HOUR));
    await saveDraft(db, admin, 'global', DRAFT, now);

    const job = await runToEnd();
    expect(job.status).toBe('done');
    expect(job.total).toBe(24);
    expect(job.processed).toBe(24);
    expect(job.rules).toEqual({ globalVersion: 1, globalSource: 'draft', overrides: 0 });
    const result = job.result!;
    expect(result.before).toEqual({ trusted: 15, suspect: 4, fraud: 5 });
    expect(result.after).toEqual({ trusted: 15, suspect: 3, fraud: 6 });
    expect(result.flipped).toBe(7);
    expect(result.transitions).toEqual([
      { from: 'suspect', to: 'fraud', count: 4 },
      { from: 'fraud', to: 'suspect', count: 3 },
    ]);

    // Every flipped event is in the sample (7 < 50), with its new reasons, site and path.
    const flippedIds = [...headless, ...dressed].map((d) => String(d._id)).sort();
    expect(result.sample.map((s) => s.id).sort()).toEqual(flippedIds);
    for (const s of result.sample) {
      expect(s.path).toBe('/products/42');
      if (s.siteName === 'Shop A') expect(s.after).toMatchObject({ verdict: 'fraud', reasons: [expect.objectContaining({ code: 'ua_automation', weight: -0.5 })] });
      else expect(s).toMatchObject({ siteName: 'Shop B', after: { verdict: 'suspect' }, before: { reasons: expect.arrayContaining(['headers_library_fingerprint']) } });
    }
    // Per-site chart impact.
    const bySite = new Map(result.sites.map((s) => [s.siteName, s]));
    expect(bySite.get('Shop A')).toMatchObject({ total: 14, before: { trusted: 10, suspect: 4, fraud: 0 }, after: { trusted: 10, suspect: 0, fraud: 4 } });
    expect(bySite.get('Shop B')).toMatchObject({ total: 10, before: { trusted: 5, suspect: 0, fraud: 5 }, after: { trusted: 5, suspect: 3, fraud: 2 } });
    // A weight of 0 switches the reason off: it disappears from the three dressed-up events.
    expect(result.reasonDeltas.find((r) => r.code === 'headers_library_fingerprint')).toMatchObject({ before: 3, after: 0, delta: -3, title: expect.any(String) });
    expect(result.reasonDeltas.find((r) => r.code === 'ua_automation')).toMatchObject({ before: 4, after: 4, delta: 0 });
  });

  test('per-reason deltas count events gaining or losing a reason', async () => {
    await store(shopA, 'chromium', 6);
    await store(shopA, 'firefox', 2);
    // Block Firefox by user agent: a hard rule fires on its events.
    await saveDraft(db, admin, 'global', { ...DEFAULT_RULES, hard: { ...DEFAULT_RULES.hard, blockUserAgents: ['Firefox/'] } }, now);
    const { result } = await runToEnd();
    const blocked = result!.reasonDeltas.filter((r) => r.delta !== 0);
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ before: 0, after: 2, delta: 2 });
    expect(result!.after.fraud - result!.before.fraud).toBe(2);
  });

  test('a site override draft applies to that site only', async () => {
    await store(shopA, 'chromium', 3);
    await store(shopB, 'chromium', 3);
    await saveDraft(db, admin, String(shopB), { hard: { pageTokenRequired: true } }, now);
    const job = await runToEnd();
    expect(job.rules.overrides).toBe(1);
    const bySite = new Map(job.result!.sites.map((s) => [s.siteName, s]));
    expect(bySite.get('Shop A')?.after).toEqual({ trusted: 3, suspect: 0, fraud: 0 });
    expect(bySite.get('Shop B')?.after).toEqual({ trusted: 0, suspect: 0, fraud: 3 });
  });

  test('without a draft the live rules are re-run and nothing flips', async () => {
    await store(shopA, 'chromium', 2);
    await store(shopA, 'curl', 2);
    await saveDraft(db, admin, 'global', DEFAULT_RULES, now);
    await publishDraft(db, admin, 'global', 'defaults as v1', now);
    const job = await runToEnd();
    expect(job.rules.globalSource).toBe('published');
    expect(job.result?.flipped).toBe(0);
    expect(job.result?.before).toEqual(job.result?.after);
  });

  test('events whose stored signals the engine cannot read are skipped and counted', async () => {
    await store(shopA, 'chromium', 2);
    await db.models.Event.collection.insertOne({ ...eventDocument({ siteId: shopA, receivedAt: new Date(now.getTime() - HOUR), signals: signalsFor(scenario('chromium')) }), signals: { v: 0, legacy: true } });
    const job = await runToEnd();
    expect(job.result).toMatchObject({ total: 2, skipped: 1 });
    expect(job.processed).toBe(3);
  });

  test('starting a backtest is audited with its window and the rules it tests', async () => {
    await store(shopA, 'chromium', 1);
    const job = await runToEnd();
    const entry = await db.models.AuditLog.findOne({ action: 'backtest.start' }).lean();
    expect(entry?.target).toBe(job.id);
    expect(String(entry?.actorId)).toBe(admin.id);
    expect(entry?.after).toMatchObject({ globalVersion: 0, globalSource: 'default', from: job.from, to: job.to });
  });

  test.each([
    ['an empty window', { from: now, to: now }],
    ['a window over the limit', { from: new Date(now.getTime() - 100 * 24 * HOUR), to: now }],
  ])('%s is refused', async (_name, window) => {
    await expect(startBacktest(db, admin, window, now)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('backtests as jobs', () => {
  test('a running backtest can be canceled and keeps its partial counts', async () => {
    await seedEvents(db, { count: 600, sites: [shopA], from: new Date(now.getTime() - 2 * HOUR), to: now });
    const job = await startBacktest(db, admin, { from: new Date(now.getTime() - 24 * HOUR), to: now }, now, { batchSize: 10, progressEveryMs: 0 });
    expect(job.status).toBe('running');
    const canceled = await cancelBacktest(db, admin, job.id, now);
    await waitForBacktest(job.id);
    const final = await getBacktest(db, job.id, now);
    expect(canceled.cancelRequested).toBe(true);
    expect(final.status).toBe('canceled');
    expect(final.processed).toBeLessThan(600);
    expect(final.result?.total).toBe(final.processed);
    expect(await db.models.AuditLog.countDocuments({ action: 'backtest.cancel', target: job.id })).toBe(1);
    // Canceling a finished job changes nothing and records nothing more.
    expect((await cancelBacktest(db, admin, job.id, now)).status).toBe('canceled');
    expect(await db.models.AuditLog.countDocuments({ action: 'backtest.cancel', target: job.id })).toBe(1);
    await expect(cancelBacktest(db, admin, '0123456789abcdef01234567', now)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('only one backtest runs at a time', async () => {
    await seedEvents(db, { count: 300, sites: [shopA], from: new Date(now.getTime() - 2 * HOUR), to: now });
    const first = await startBacktest(db, admin, { from: new Date(now.getTime() - 24 * HOUR), to: now }, now, { batchSize: 10 });
    await expect(startBacktest(db, admin, { from: new Date(now.getTime() - 24 * HOUR), to: now }, now)).rejects.toMatchObject({ code: 'CONFLICT' });
    await waitForBacktest(first.id);
    expect((await getBacktest(db, first.id, now)).status).toBe('done');
    expect((await listBacktests(db, now)).map((j) => j.id)).toEqual([first.id]);
  });

  test('progress is written while the job runs and the event loop keeps turning', async () => {
    await seedEvents(db, { count: 1000, sites: [shopA, shopB], from: new Date(now.getTime() - 2 * HOUR), to: now });
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 1);
    const progress: number[] = [];
    const job = await startBacktest(db, admin, { from: new Date(now.getTime() - 24 * HOUR), to: now }, now, { batchSize: 25, progressEveryMs: 0 });
    for (;;) {
      const state = await getBacktest(db, job.id, now);
      progress.push(state.processed);
      if (state.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    clearInterval(timer);
    const final = await getBacktest(db, job.id, now);
    expect(final.status).toBe('done');
    expect(final.total).toBe(1000);
    expect(final.result?.total).toBe(1000);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.some((p) => p > 0 && p < 1000)).toBe(true);
    // 40 batches with a turn of the event loop after each: timers and polls run in between.
    expect(ticks).toBeGreaterThan(10);
  });

  test('the progress estimate sums the hourly rollups of the hours the window touches', async () => {
    await db.models.HourlyRollup.collection.drop().catch(() => undefined);
    const hour = (h: number) => new Date(Date.UTC(2026, 2, 10, h));
    await db.models.HourlyRollup.collection.insertMany([
      { siteId: shopA, hour: hour(8), total: 5 },
      { siteId: shopA, hour: hour(9), total: 7 },
      { siteId: shopB, hour: hour(9), total: 11 },
      { siteId: shopA, hour: hour(11), total: 100 },
    ]);
    const window = { from: new Date(Date.UTC(2026, 2, 10, 8, 30)), to: hour(11) };
    expect(await estimateEvents(db, window)).toBe(23);
    expect(await estimateEvents(db, { ...window, siteId: String(shopB) })).toBe(11);
  });

  test('a running job whose process died is reported as interrupted', async () => {
    const orphan = await db.models.BacktestJob.create({
      status: 'running',
      from: new Date(now.getTime() - HOUR),
      to: now,
      rules: {},
      createdBy: admin.id,
      startedAt: new Date(now.getTime() - 10 * 60_000),
      heartbeatAt: new Date(now.getTime() - 5 * 60_000),
    });
    const job = await getBacktest(db, String(orphan._id), now);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/Interrupted/);
  });
});

describe('merging rescore summaries', () => {
  test('the accumulator over groups equals one rescore over all events', async () => {
    const { rescore } = await import('@tagward/trust');
    const events = SCENARIOS.flatMap((s, i) =>
      Array.from({ length: 3 }, (_, j) => {
        const signals = signalsFor(s);
        const live = score(signals, DEFAULT_RULES);
        return { id: `e${String(i).padStart(2, '0')}${j}`, signals, ...live };
      }),
    );
    const whole = rescore(events, DRAFT, { sampleSize: 5 });
    const acc = new BacktestAccumulator(5);
    for (let i = 0; i < events.length; i += 4) acc.add(`site${i % 3}`, rescore(events.slice(i, i + 4), DRAFT, { sampleSize: 5 }));
    const merged = acc.result();
    expect(merged.total).toBe(whole.total);
    expect(merged.before).toEqual(whole.before);
    expect(merged.after).toEqual(whole.after);
    expect(merged.flipped).toBe(whole.flipped);
    expect(merged.transitions).toEqual(whole.transitions);
    expect(merged.reasonDeltas).toEqual(whole.reasonDeltas);
    expect(merged.sample.map((s) => s.id)).toEqual(whole.sample.map((s) => s.id));
    expect(merged.meanScore.before).toBeCloseTo(whole.meanScore.before, 3);
    expect(merged.meanScore.after).toBeCloseTo(whole.meanScore.after, 3);
    expect(merged.sites.reduce((sum, s) => sum + s.total, 0)).toBe(whole.total);
  });
});
