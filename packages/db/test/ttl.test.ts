/**
 * Expiry is the server's job: TTL indexes on sessions, spent nonces, limiter slots and salts.
 * The test waits for the server's TTL monitor (every 2 s on the embedded server after its first
 * minute; 60 s on a default mongod), so it allows up to 90 s.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('ttl');
});
afterAll(async () => {
  await db?.dispose();
});

const DAY = 86_400_000;

test.each([
  ['Session', 'expiresAt', 0],
  ['SpentNonce', 'expiresAt', 0],
  ['RateCounter', 'expiresAt', 0],
  ['Salt', 'createdAt', 2 * 86_400],
] as const)('%s has a TTL index on %s (expireAfterSeconds %i)', async (model, field, seconds) => {
  const indexes = await db.models[model].collection.indexes();
  expect(indexes.find((i) => i.key[field] === 1)?.expireAfterSeconds).toBe(seconds);
});

test('the server deletes expired sessions, nonces, limiter slots and salts, and keeps live ones', async () => {
  const past = new Date(Date.now() - 60_000);
  const future = new Date(Date.now() + DAY);
  const userId = new Types.ObjectId();
  const siteId = new Types.ObjectId();
  const { Session, SpentNonce, RateCounter, Salt } = db.models;
  await Session.collection.insertMany([
    { _id: 'old' as never, userId, secretHash: Buffer.alloc(32), createdAt: past, expiresAt: past },
    { _id: 'live' as never, userId, secretHash: Buffer.alloc(32), createdAt: past, expiresAt: future },
  ]);
  await SpentNonce.collection.insertMany([
    { _id: 'old' as never, siteId, eventId: null, expiresAt: past },
    { _id: 'live' as never, siteId, eventId: null, expiresAt: future },
  ]);
  await RateCounter.collection.insertMany([
    { _id: 'old' as never, count: 1, expiresAt: past },
    { _id: 'live' as never, count: 1, expiresAt: future },
  ]);
  await Salt.collection.insertMany([
    { _id: 'old' as never, salt: 'x', createdAt: new Date(Date.now() - 3 * DAY) },
    { _id: 'live' as never, salt: 'y', createdAt: new Date() },
  ]);
  const models = [Session, SpentNonce, RateCounter, Salt] as const;
  const remaining = async () => (await Promise.all(models.map((m) => m.collection.distinct('_id')))).map((ids) => ids.map(String).sort());
  const deadline = Date.now() + 90_000;
  let left = await remaining();
  while (left.some((ids) => ids.includes('old')) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    left = await remaining();
  }
  expect(left).toEqual([['live'], ['live'], ['live'], ['live']]);
}, 100_000);
