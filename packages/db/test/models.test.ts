import { afterAll, beforeAll, expect, test } from 'vitest';
import mongoose from 'mongoose';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { reviseEvent, type EventRecord } from '../src/index.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('models');
});
afterAll(async () => {
  await db?.dispose();
});

test('a duplicate spent nonce is refused, which is how replays are caught', async () => {
  const siteId = new mongoose.Types.ObjectId();
  const expiresAt = new Date(Date.now() + 60_000);
  await db.models.SpentNonce.create({ _id: 'n1', siteId, expiresAt });
  await expect(db.models.SpentNonce.create({ _id: 'n1', siteId, expiresAt })).rejects.toMatchObject({
    code: 11000,
  });
});

test('rollups accumulate with $inc upserts on nested counters', async () => {
  const siteId = new mongoose.Types.ObjectId();
  const hour = new Date('2026-01-01T10:00:00Z');
  for (let i = 0; i < 3; i++) {
    await db.models.HourlyRollup.updateOne(
      { siteId, hour },
      { $inc: { total: 1, 'verdicts.trusted': 1, 'reasons.origin_allowed': 1, 'scoreHist.b9': 1 } },
      { upsert: true },
    );
  }
  const doc = await db.models.HourlyRollup.findOne({ siteId, hour }).lean();
  expect(doc).toMatchObject({ total: 3, verdicts: { trusted: 3 }, scoreHist: { b9: 3 } });
});

test('the events index refuses a second event with the same idempotency id for a site', async () => {
  const siteId = new mongoose.Types.ObjectId();
  const base = {
    siteId,
    eventId: 'e1',
    receivedAt: new Date(),
    page: { url: 'https://a.example/', path: '/' },
    signals: {},
    score: 1,
    verdict: 'trusted' as const,
    rulesVersion: 1,
    visitorHash: 'v',
  };
  await db.models.Event.create(base);
  await expect(db.models.Event.create(base)).rejects.toMatchObject({ code: 11000 });
});

test('a hindsight revision applies once, however many race to apply it, and keeps the scoring it replaced', async () => {
  const siteId = new mongoose.Types.ObjectId();
  const reasons = [{ code: 'origin_allowed', weight: 0.1, detail: 'allowed' }];
  await db.models.Event.create({
    siteId, eventId: 'r1', receivedAt: new Date(), page: { url: 'https://a.example/', path: '/' },
    signals: { cadence: { intervals: 0 } }, score: 0.8, verdict: 'trusted', reasons, rulesVersion: 1, visitorHash: 'v',
  });
  const stored = (await db.models.Event.findOne({ siteId, eventId: 'r1' }).lean())!;
  const next = (by: number) => ({
    score: 0.45, verdict: 'suspect' as const, reasons: [{ code: 'cadence_regular', weight: -0.35, detail: `by ${by}` }],
    signals: { v: 1, cadence: { intervals: 4, later: { eventId: `later-${by}` } } }, shadow: null,
  });
  const applied = await Promise.all(
    Array.from({ length: 10 }, (_, i) => reviseEvent(db, stored as unknown as EventRecord, next(i), { at: new Date(), by: `later-${i}` })),
  );
  expect(applied.filter(Boolean)).toHaveLength(1);
  const after = (await db.models.Event.findOne({ siteId, eventId: 'r1' }).lean())!;
  const winner = applied.indexOf(true);
  expect(after).toMatchObject({ score: 0.45, verdict: 'suspect', revision: { by: `later-${winner}`, before: { score: 0.8, verdict: 'trusted', reasons, signals: { cadence: { intervals: 0 } } } } });
  expect(after.reasons[0].detail).toBe(`by ${winner}`);
  // Revised once: a later revision of the revised event does nothing.
  expect(await reviseEvent(db, after as unknown as EventRecord, next(99), { at: new Date(), by: 'later-99' })).toBe(false);
});
