import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { LoginThrottle, deleteExpiredLoginCounters } from '../src/index.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('auth_throttle');
});
afterAll(async () => {
  await db?.dispose();
});

const limits = { perAccount: 3, perIp: 5, windowMs: 60_000 };
const t0 = new Date('2030-01-01T00:00:10Z');

test('an account is blocked after its limit of failures, from any IP, until the window ends', async () => {
  const throttle = new LoginThrottle(db, limits);
  for (let i = 0; i < 3; i++) {
    expect(await throttle.check('victim@example.com', `10.0.0.${i}`, t0)).toEqual({ allowed: true });
    await throttle.recordFailure('victim@example.com', `10.0.0.${i}`, t0);
  }
  expect(await throttle.check('Victim@Example.com ', '10.9.9.9', t0)).toEqual({
    allowed: false,
    retryAfterSeconds: 50,
  });
  expect(await throttle.check('someone-else@example.com', '10.9.9.9', t0)).toEqual({ allowed: true });
  expect(await throttle.check('victim@example.com', '10.9.9.9', new Date(t0.getTime() + 60_000))).toEqual({
    allowed: true,
  });
});

test('an IP is blocked after its limit of failures across many accounts', async () => {
  const throttle = new LoginThrottle(db, limits);
  for (let i = 0; i < 5; i++) await throttle.recordFailure(`user${i}@example.com`, '192.0.2.7', t0);
  expect(await throttle.check('fresh@example.com', '192.0.2.7', t0)).toMatchObject({ allowed: false });
  expect(await throttle.check('fresh@example.com', '192.0.2.8', t0)).toEqual({ allowed: true });
});

test('a success forgives the account failures but not the IP failures', async () => {
  const throttle = new LoginThrottle(db, { ...limits, perIp: 3 });
  for (let i = 0; i < 3; i++) await throttle.recordFailure('typo@example.com', '198.51.100.1', t0);
  await throttle.recordSuccess('typo@example.com', '198.51.100.1', t0);
  expect(await throttle.check('typo@example.com', '198.51.100.2', t0)).toEqual({ allowed: true });
  expect(await throttle.check('typo@example.com', '198.51.100.1', t0)).toMatchObject({ allowed: false });
});

test('counters from two throttle instances (two processes) add up', async () => {
  const a = new LoginThrottle(db, limits);
  const b = new LoginThrottle(db, limits);
  await a.recordFailure('shared@example.com', '203.0.113.1', t0);
  await b.recordFailure('shared@example.com', '203.0.113.2', t0);
  await Promise.all([a.recordFailure('shared@example.com', '203.0.113.3', t0)]);
  expect(await b.check('shared@example.com', '203.0.113.4', t0)).toMatchObject({ allowed: false });
});

test('the sweep deletes expired login counters and leaves other counters alone', async () => {
  await db.models.RateCounter.create({ _id: 'beacon:x', count: 1, expiresAt: new Date(0) });
  const later = new Date(t0.getTime() + 10 * 60_000);
  expect(await deleteExpiredLoginCounters(db, later)).toBeGreaterThan(0);
  expect(await db.models.RateCounter.countDocuments({ _id: { $regex: '^login:' } })).toBe(0);
  expect(await db.models.RateCounter.findById('beacon:x').lean()).not.toBeNull();
});
