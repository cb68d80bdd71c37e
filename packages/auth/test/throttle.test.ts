import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { LoginThrottle } from '../src/index.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('auth_throttle');
});
afterAll(async () => {
  await db?.dispose();
});

const limits = { perAccount: 3, perIp: 5, windowMs: 60_000 };
const t0 = new Date('2030-01-01T00:00:10Z');

test('an account is refused after its limit of attempts, from any IP, until the window ends', async () => {
  const throttle = new LoginThrottle(db, limits);
  for (let i = 0; i < 3; i++) {
    expect(await throttle.attempt('victim@example.com', `10.0.0.${i}`, t0)).toMatchObject({ allowed: true });
  }
  expect(await throttle.attempt('Victim@Example.com ', '10.9.9.9', t0)).toEqual({
    allowed: false,
    retryAfterSeconds: 50,
  });
  expect(await throttle.attempt('someone-else@example.com', '10.9.9.9', t0)).toMatchObject({ allowed: true });
  expect(await throttle.attempt('victim@example.com', '10.9.9.9', new Date(t0.getTime() + 60_000))).toMatchObject({
    allowed: true,
  });
});

test('an IP is refused after its limit of attempts across many accounts', async () => {
  const throttle = new LoginThrottle(db, limits);
  for (let i = 0; i < 5; i++) expect((await throttle.attempt(`user${i}@example.com`, '192.0.2.7', t0)).allowed).toBe(true);
  expect(await throttle.attempt('fresh@example.com', '192.0.2.7', t0)).toMatchObject({ allowed: false });
  expect(await throttle.attempt('fresh@example.com', '192.0.2.8', t0)).toMatchObject({ allowed: true });
});

test("a success gives back the account's attempts and its own IP slot, not the IP's failures", async () => {
  const throttle = new LoginThrottle(db, { ...limits, perIp: 3 });
  for (let i = 0; i < 2; i++) await throttle.attempt('typo@example.com', '198.51.100.1', t0);
  const success = await throttle.attempt('typo@example.com', '198.51.100.1', t0);
  if (!success.allowed) throw new Error('the third attempt is within the limit');
  await throttle.recordSuccess('typo@example.com', '198.51.100.1', success, t0);
  // The account is forgiven; the IP keeps its two failures and got the success's slot back.
  expect(await throttle.attempt('typo@example.com', '198.51.100.2', t0)).toMatchObject({ allowed: true });
  expect(await throttle.attempt('other@example.com', '198.51.100.1', t0)).toMatchObject({ allowed: true });
  expect(await throttle.attempt('other@example.com', '198.51.100.1', t0)).toMatchObject({ allowed: false });
});

test('many successful logins from one address never lock it out', async () => {
  const throttle = new LoginThrottle(db, limits);
  for (let i = 0; i < 3 * limits.perIp; i++) {
    const decision = await throttle.attempt(`colleague${i}@example.com`, '198.51.100.77', t0);
    if (!decision.allowed) throw new Error(`login ${i} was refused`);
    await throttle.recordSuccess(`colleague${i}@example.com`, '198.51.100.77', decision, t0);
  }
});

test('two throttle instances (two processes) share the limit', async () => {
  const a = new LoginThrottle(db, limits);
  const b = new LoginThrottle(db, limits);
  expect((await a.attempt('shared@example.com', '203.0.113.1', t0)).allowed).toBe(true);
  expect((await b.attempt('shared@example.com', '203.0.113.2', t0)).allowed).toBe(true);
  expect((await a.attempt('shared@example.com', '203.0.113.3', t0)).allowed).toBe(true);
  expect(await b.attempt('shared@example.com', '203.0.113.4', t0)).toMatchObject({ allowed: false });
});

test('a burst of parallel guesses from several processes gets no more than the limit', async () => {
  const processes = [new LoginThrottle(db, limits), new LoginThrottle(db, limits), new LoginThrottle(db, limits)];
  const decisions = await Promise.all(
    Array.from({ length: 30 }, (_, i) => processes[i % 3]!.attempt('burst@example.com', `198.18.0.${i}`, t0)),
  );
  expect(decisions.filter((d) => d.allowed)).toHaveLength(limits.perAccount);
});
