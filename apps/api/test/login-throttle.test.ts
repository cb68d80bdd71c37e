/**
 * Finding "Lockout as a weapon (low)", written as the attack: after 10 wrong guesses the correct
 * password was refused from every address for 15 minutes, so anyone could lock any account,
 * admins included. Now the guesser's own account+address pair is slowed; the owner elsewhere is
 * never refused; and under a distributed attack a right password from a new address gets in
 * through a mailed link, while a guesser learns nothing from the answer.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { generateMasterKey } from '@tagward/keys';
import { apiConfigSchema } from '../src/config.js';
import { startApiServer } from '../src/app.js';
import { PASSWORD, codeOf, createTestClient, inbox, makeAdmin, messageOf, signedUpClient, startTestApi, tokenIn, type TestApi } from './helpers.js';

const THROTTLE = { pairFreeFailures: 3, addressFreeFailures: 6, accountAlarmFailures: 5 };

let api: TestApi;
/** The API's clock: real time, unless a test holds it still (so no delay runs out mid-test). */
let heldAt: number | null = null;
beforeAll(async () => {
  api = await startTestApi('api_login_throttle', { trustProxy: true, loginThrottle: THROTTLE }, () => new Date(heldAt ?? Date.now()));
});
afterAll(async () => {
  await api?.close();
});
beforeEach(async () => {
  heldAt = null;
  await api.db.models.RateCounter.deleteMany({ _id: { $regex: '^(login|2fa):' } });
});

const from = (ip: string) => api.client({ headers: { 'x-forwarded-for': ip } });

describe('the guesser is slowed, not the owner', () => {
  test('50 wrong guesses from one address: that address waits, the owner elsewhere logs in at once (admins too)', async () => {
    const owner = await signedUpClient(api);
    await makeAdmin(api, owner);
    // The server's clock stands still from here: on a slow machine the 50 guesses could otherwise
    // outlast the last delay, and the right password below would be checked instead of waiting.
    heldAt = Date.now();
    const codes = [];
    const started = Date.now();
    for (let i = 0; i < 50; i++) codes.push(await codeOf(from('203.0.113.66').trpc.auth.logIn.mutate({ email: owner.email, password: `guess ${i}` })));
    const seconds = (Date.now() - started) / 1000;
    expect(codes.slice(0, 3)).toEqual(['UNAUTHORIZED', 'UNAUTHORIZED', 'UNAUTHORIZED']);
    // Past the 3 free ones, a guess is checked only after 1 s, then 2 s, 4 s…: in `seconds`
    // seconds at most log2(seconds + 1) more were, however fast the guesser sent them.
    const checked = codes.filter((c) => c === 'UNAUTHORIZED').length;
    expect(checked).toBeLessThanOrEqual(3 + Math.ceil(Math.log2(seconds + 1)));
    expect(codes.filter((c) => c === 'TOO_MANY_REQUESTS').length).toBe(50 - checked);
    // Even the right password waits on the guesser's address: that is the delay.
    expect(await messageOf(from('203.0.113.66').trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD }))).toMatch(/Try again in \d+ seconds?/);
    const outcome = await from('198.51.100.5').trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD });
    expect(outcome.status).toBe('second_factor');
    heldAt = null;
  });

  test('the delay doubles: after waiting it out the next guess is checked again', async () => {
    const owner = await signedUpClient(api);
    let clock = Date.now();
    const timed = await startApiServer({ db: api.db, config: api.config, port: 0, host: '127.0.0.1', now: () => new Date(clock) });
    try {
      const guess = (password: string) =>
        codeOf(createTestClient(timed.url, { headers: { 'x-forwarded-for': '192.0.2.50' } }).trpc.auth.logIn.mutate({ email: owner.email, password }));
      for (let i = 0; i < 3; i++) expect(await guess(`wrong ${i}`)).toBe('UNAUTHORIZED');
      expect(await guess('wrong 3')).toBe('TOO_MANY_REQUESTS');
      clock += 1000;
      expect(await guess('wrong 4')).toBe('UNAUTHORIZED');
      clock += 1000;
      expect(await guess('wrong 5')).toBe('TOO_MANY_REQUESTS');
      clock += 1000;
      expect(await guess(PASSWORD)).toBe('OK');
    } finally {
      await timed.close();
    }
  });

  test('the counters live in the database, so two API processes count together', async () => {
    const config = apiConfigSchema.parse({ ...api.config, masterKey: generateMasterKey() });
    const second = await startApiServer({ db: api.db, config, port: 0, host: '127.0.0.1' });
    try {
      const owner = await signedUpClient(api);
      const headers = { 'x-forwarded-for': '192.0.2.77' };
      await codeOf(from('192.0.2.77').trpc.auth.logIn.mutate({ email: owner.email, password: 'nope 1' }));
      await codeOf(createTestClient(second.url, { headers }).trpc.auth.logIn.mutate({ email: owner.email, password: 'nope 2' }));
      await codeOf(from('192.0.2.77').trpc.auth.logIn.mutate({ email: owner.email, password: 'nope 3' }));
      expect(await codeOf(createTestClient(second.url, { headers }).trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD }))).toBe('TOO_MANY_REQUESTS');
    } finally {
      await second.close();
    }
  });
});

describe('a distributed attack', () => {
  async function spray(email: string, count: number): Promise<void> {
    for (let i = 0; i < count; i++) await codeOf(from(`100.64.${i}.1`).trpc.auth.logIn.mutate({ email, password: `botnet guess ${i}` }));
  }

  test('a right password from a new address gets a mailed link, not a session; the link logs in', async () => {
    const owner = await signedUpClient(api);
    await spray(owner.email, THROTTLE.accountAlarmFailures);
    const phone = from('198.18.5.5');
    expect(await phone.trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD })).toEqual({ status: 'link_sent' });
    expect(phone.cookies.size).toBe(0);
    const mail = await inbox().waitForMail(owner.email, { subject: /sign-in link/ });
    const outcome = await phone.trpc.auth.logInWithLink.mutate({ token: tokenIn(mail, '/login-link') });
    expect(outcome).toMatchObject({ status: 'logged_in', user: { email: owner.email } });
    expect((await phone.trpc.auth.me.query()).user?.email).toBe(owner.email);
  });

  test('a guess from a new address gets the very same answer whether it is right or wrong', async () => {
    const owner = await signedUpClient(api);
    await spray(owner.email, THROTTLE.accountAlarmFailures);
    const wrong = await from('100.100.1.1').trpc.auth.logIn.mutate({ email: owner.email, password: 'another guess' });
    const right = await from('100.100.2.1').trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD });
    expect(wrong).toEqual(right);
    expect(right).toEqual({ status: 'link_sent' });
  });

  test('the owner on an address they logged in from before is not asked for a link', async () => {
    const owner = await signedUpClient(api);
    // signedUpClient logged in from 127.0.0.1 (no forwarded header): that address is known.
    await spray(owner.email, THROTTLE.accountAlarmFailures);
    const outcome = await api.client().trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD });
    expect(outcome.status).toBe('logged_in');
  });
});

describe('no enumeration at login', () => {
  test('an unknown email and a wrong password get the same answer, also under attack', async () => {
    const owner = await signedUpClient(api);
    const unknown = `nobody-${Date.now()}@example.com`;
    expect(await messageOf(from('10.1.1.1').trpc.auth.logIn.mutate({ email: owner.email, password: 'wrong!' }))).toBe(
      await messageOf(from('10.1.1.2').trpc.auth.logIn.mutate({ email: unknown, password: 'wrong!' })),
    );
    for (let i = 0; i < THROTTLE.accountAlarmFailures; i++) await codeOf(from(`10.2.${i}.1`).trpc.auth.logIn.mutate({ email: unknown, password: 'x' }));
    expect(await from('10.3.3.3').trpc.auth.logIn.mutate({ email: unknown, password: 'x' })).toEqual({ status: 'link_sent' });
  });
});
