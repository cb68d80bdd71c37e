import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, delayAfterFailure, networkOf, type ThrottleDecision } from '../src/index.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('auth_throttle');
});
afterAll(async () => {
  await db?.dispose();
});

const settings = { ...DEFAULT_LOGIN_THROTTLE, pairFreeFailures: 3, addressFreeFailures: 6, accountAlarmFailures: 4 };
const t0 = new Date('2030-01-01T00:00:10Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function allowed(decision: ThrottleDecision) {
  if (!decision.allowed) throw new Error(`refused, retry after ${decision.retryAfterSeconds} s`);
  return decision;
}

async function fail(throttle: LoginThrottle, email: string, ip: string, now: Date): Promise<ThrottleDecision> {
  const decision = await throttle.attempt(email, ip, now);
  if (decision.allowed) await throttle.failed(decision, now);
  return decision;
}

test('the delay doubles with every failure past the free ones, up to its cap', () => {
  const s = { baseDelayMs: 1000, maxDelayMs: 15 * 60_000 };
  expect([1, 2, 3, 4, 5, 6, 7, 14, 15, 40].map((n) => delayAfterFailure(n, 5, s))).toEqual([0, 0, 0, 0, 1000, 2000, 4000, 512_000, 900_000, 900_000]);
});

test('one pair gets its free failures, then waits a doubling delay: refused attempts do not count', async () => {
  const throttle = new LoginThrottle(db, settings);
  for (let i = 0; i < 3; i++) allowed(await fail(throttle, 'victim@example.com', '10.0.0.1', t0));
  expect(await throttle.attempt('victim@example.com', '10.0.0.1', at(500))).toEqual({ allowed: false, retryAfterSeconds: 1 });
  allowed(await fail(throttle, 'victim@example.com', '10.0.0.1', at(1000)));
  expect(await throttle.attempt('victim@example.com', '10.0.0.1', at(2000))).toMatchObject({ allowed: false });
  allowed(await fail(throttle, 'victim@example.com', '10.0.0.1', at(3000)));
  expect(await throttle.attempt('victim@example.com', '10.0.0.1', at(6000))).toEqual({ allowed: false, retryAfterSeconds: 1 });
  allowed(await throttle.attempt('victim@example.com', '10.0.0.1', at(7000)));
});

test("an attacker's failures never refuse the owner's correct password from another address", async () => {
  const throttle = new LoginThrottle(db, settings);
  for (let i = 0; i < 3; i++) await fail(throttle, 'owner@example.com', '203.0.113.66', t0);
  expect((await throttle.attempt('owner@example.com', '203.0.113.66', at(10))).allowed).toBe(false);
  const owner = allowed(await throttle.attempt('Owner@Example.com ', '198.51.100.1', at(10)));
  await throttle.succeeded(owner);
});

test('many failures from many addresses put the account under attack; known addresses stay known', async () => {
  const throttle = new LoginThrottle(db, settings);
  await throttle.rememberAddress('target@example.com', '192.0.2.1', t0);
  for (let i = 0; i < 4; i++) await fail(throttle, 'target@example.com', `198.18.${i}.9`, t0);
  const fromNew = allowed(await throttle.attempt('target@example.com', '100.64.0.1', t0));
  expect(await throttle.underAttack(fromNew, t0)).toBe(true);
  expect(await throttle.isKnownAddress(fromNew)).toBe(false);
  const fromHome = allowed(await throttle.attempt('target@example.com', '192.0.2.1', t0));
  expect(await throttle.isKnownAddress(fromHome)).toBe(true);
  // The alarm is per window: the next window starts calm.
  expect(await throttle.underAttack(fromNew, at(settings.alarmWindowMs))).toBe(false);
});

test('an address spraying many accounts waits once past its own free failures', async () => {
  const throttle = new LoginThrottle(db, settings);
  for (let i = 0; i < 6; i++) allowed(await fail(throttle, `user${i}@example.com`, '192.0.2.7', t0));
  expect(await throttle.attempt('fresh@example.com', '192.0.2.7', at(10))).toMatchObject({ allowed: false });
  allowed(await throttle.attempt('fresh@example.com', '192.0.2.8', at(10)));
});

test('many successful logins from one address never slow it down', async () => {
  const throttle = new LoginThrottle(db, settings);
  for (let i = 0; i < 3 * settings.addressFreeFailures; i++) {
    await throttle.succeeded(allowed(await throttle.attempt(`colleague${i}@example.com`, '198.51.100.77', t0)));
  }
});

test('a burst of parallel guesses from one pair, over several processes, gets only the free ones', async () => {
  const processes = [new LoginThrottle(db, settings), new LoginThrottle(db, settings), new LoginThrottle(db, settings)];
  const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => processes[i % 3]!.attempt('burst@example.com', '198.18.0.1', t0)));
  expect(decisions.filter((d) => d.allowed)).toHaveLength(settings.pairFreeFailures);
});

test.each([
  ['203.0.113.7', '203.0.113.0/24'],
  ['::ffff:203.0.113.7', '203.0.113.0/24'],
  ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
  ['2001:db8::1', '2001:db8:0::/48'],
])('the network of %s is %s', (ip, network) => {
  expect(networkOf(ip)).toBe(network);
});
