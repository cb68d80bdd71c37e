import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEV_COOKIE_NAME } from '@tagward/auth';
import { LOGIN_FAILED_MESSAGE } from '../src/services/accounts.js';
import { PASSWORD, codeOf, inbox, messageOf, signedUpClient, startTestApi, uniqueEmail, type TestApi } from './helpers.js';

const HOUR = 3_600_000;

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('api_auth', { trustedOrigins: ['http://localhost:5173'] });
});
afterAll(async () => {
  await api?.close();
});

describe('accounts', () => {
  test('following the verification link logs in with an HttpOnly, SameSite=Lax cookie that is not Secure only on plain-http localhost', async () => {
    const client = await signedUpClient(api);
    const [cookie] = client.lastSetCookie;
    expect(cookie).toMatch(new RegExp(`^${DEV_COOKIE_NAME}=[a-z2-9]{24}\\.[a-z2-9]{24}; Path=/; HttpOnly; SameSite=Lax; Expires=`));
    expect(cookie).not.toContain('Secure');
    expect(await client.trpc.auth.me.query()).toEqual({ user: { id: client.userId, email: client.email, role: 'user', emailVerified: true, twoFactor: false } });
  });

  test('a request to a non-loopback host name gets a Secure __Host- cookie', async () => {
    // node:http, because fetch will not let us choose the Host header.
    const { port } = new URL(api.url);
    const body = JSON.stringify({ email: (await signedUpClient(api)).email, password: PASSWORD });
    const setCookie = await new Promise<string[]>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/trpc/auth.logIn', method: 'POST', headers: { 'content-type': 'application/json', host: 'dash.example.com', origin: 'https://dash.example.com' } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(res.headers['set-cookie'] ?? []) : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(setCookie[0]).toMatch(/^__Host-tagward_session=.*; Path=\/; HttpOnly; SameSite=Lax; Expires=.*; Secure$/);
  });

  test('the email is stored lower-cased and a second sign-up with it makes no second account', async () => {
    const email = uniqueEmail('Mixed');
    await signedUpClient(api, email);
    expect(await api.client().trpc.auth.signUp.mutate({ email: email.toUpperCase(), password: PASSWORD })).toEqual({ status: 'check_email' });
    expect(await api.db.models.User.countDocuments({ email: email.toLowerCase() })).toBe(1);
    await inbox().waitForMail(email, { subject: /already have a Tagward account/ });
  });

  test.each([
    ['a short password', { password: 'short' }],
    ['a malformed email', { email: 'not-an-email' }],
  ])('sign-up refuses %s with BAD_REQUEST', async (_name, override) => {
    expect(await codeOf(api.client().trpc.auth.signUp.mutate({ email: uniqueEmail(), password: PASSWORD, ...override }))).toBe('BAD_REQUEST');
  });

  test('the password is stored as an argon2id hash', async () => {
    const client = await signedUpClient(api);
    const row = await api.db.models.User.findById(client.userId).lean();
    expect(row?.passwordHash).toMatch(/^\$argon2id\$/);
  });

  test('a wrong password and an unknown email get the same answer', async () => {
    const client = await signedUpClient(api);
    const wrongPassword = await messageOf(api.client().trpc.auth.logIn.mutate({ email: client.email, password: 'wrong password!' }));
    const unknownEmail = await messageOf(api.client().trpc.auth.logIn.mutate({ email: uniqueEmail('nobody'), password: PASSWORD }));
    expect(wrongPassword).toBe(LOGIN_FAILED_MESSAGE);
    expect(unknownEmail).toBe(LOGIN_FAILED_MESSAGE);
  });

  test('logging in replaces any session the browser already had', async () => {
    const client = await signedUpClient(api);
    const before = [...client.cookies.values()][0]!;
    await client.trpc.auth.logIn.mutate({ email: client.email, password: PASSWORD });
    const after = [...client.cookies.values()][0]!;
    expect(after).not.toBe(before);
    expect(await api.db.models.Session.findById(before.split('.')[0]).lean()).toBeNull();
  });

  test('logging out ends the session on the server, not only the cookie', async () => {
    const client = await signedUpClient(api);
    const token = [...client.cookies.values()][0]!;
    await client.trpc.auth.logOut.mutate();
    expect(client.cookies.size).toBe(0);
    const replay = api.client();
    replay.cookies.set(DEV_COOKIE_NAME, token);
    expect(await replay.trpc.auth.me.query()).toEqual({ user: null });
  });

  test('logging out everywhere ends every session of the user and no one else’s', async () => {
    const first = await signedUpClient(api);
    const second = api.client();
    await second.trpc.auth.logIn.mutate({ email: first.email, password: PASSWORD });
    const bystander = await signedUpClient(api);
    expect(await first.trpc.auth.logOutEverywhere.mutate()).toEqual({ ended: 2 });
    expect((await second.trpc.auth.me.query()).user).toBeNull();
    expect((await first.trpc.auth.me.query()).user).toBeNull();
    expect((await bystander.trpc.auth.me.query()).user).not.toBeNull();
  });

  test('changing the password ends other sessions, rotates this one, and the old password stops working', async () => {
    const first = await signedUpClient(api);
    const other = api.client();
    await other.trpc.auth.logIn.mutate({ email: first.email, password: PASSWORD });
    const before = [...first.cookies.values()][0];
    await first.trpc.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'a brand new passphrase' });
    expect([...first.cookies.values()][0]).not.toBe(before);
    expect((await first.trpc.auth.me.query()).user?.email).toBe(first.email);
    expect((await other.trpc.auth.me.query()).user).toBeNull();
    expect(await codeOf(api.client().trpc.auth.logIn.mutate({ email: first.email, password: PASSWORD }))).toBe('UNAUTHORIZED');
    expect(await codeOf(api.client().trpc.auth.logIn.mutate({ email: first.email, password: 'a brand new passphrase' }))).toBe('OK');
  });

  test('changing the password needs the current one', async () => {
    const client = await signedUpClient(api);
    expect(await codeOf(client.trpc.auth.changePassword.mutate({ currentPassword: 'not my password', newPassword: 'another long passphrase' }))).toBe('BAD_REQUEST');
  });
});

describe('sessions', () => {
  test('an expired session is refused, deleted, and its cookie cleared', async () => {
    const client = await signedUpClient(api);
    const id = [...client.cookies.values()][0]!.split('.')[0];
    await api.db.models.Session.updateOne({ _id: id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await client.trpc.auth.me.query()).toEqual({ user: null });
    expect(client.lastSetCookie[0]).toMatch(/Max-Age=0/);
    expect(await api.db.models.Session.findById(id).lean()).toBeNull();
  });

  test('a session past half its idle life slides forward and the browser gets the new expiry', async () => {
    const client = await signedUpClient(api);
    const id = [...client.cookies.values()][0]!.split('.')[0];
    const idle = api.config.sessionIdleHours * HOUR;
    const soon = new Date(Date.now() + idle / 2 - 60_000);
    await api.db.models.Session.updateOne({ _id: id }, { $set: { expiresAt: soon } });
    const started = Date.now();
    expect((await client.trpc.auth.me.query()).user).not.toBeNull();
    const stored = await api.db.models.Session.findById(id).lean();
    expect(stored!.expiresAt.getTime()).toBeGreaterThanOrEqual(started + idle - 1000);
    const expires = /Expires=([^;]+)/.exec(client.lastSetCookie[0] ?? '')?.[1];
    expect(Math.abs(Date.parse(expires!) - stored!.expiresAt.getTime())).toBeLessThan(1000);
  });

  test('a session with plenty of life left sends no new cookie', async () => {
    const client = await signedUpClient(api);
    await client.trpc.auth.me.query();
    expect(client.lastSetCookie).toEqual([]);
  });

  test('protected procedures answer UNAUTHORIZED without a session', async () => {
    expect(await codeOf(api.client().trpc.sites.list.query())).toBe('UNAUTHORIZED');
  });
});

describe('CSRF: mutations need a same-origin request', () => {
  test.each([
    ['another site', { origin: 'https://evil.example' }],
    ['a sibling port', { origin: 'http://127.0.0.1:1' }],
    ['the literal null origin', { origin: 'null' }],
    ['no Origin and Sec-Fetch-Site cross-site', { origin: null, headers: { 'sec-fetch-site': 'cross-site' } }],
    ['neither header', { origin: null }],
  ])('a logged-in mutation from %s is refused and changes nothing', async (_name, options) => {
    const victim = await signedUpClient(api);
    const attacker = api.client(options);
    for (const [k, v] of victim.cookies) attacker.cookies.set(k, v);
    expect(await codeOf(attacker.trpc.sites.create.mutate({ name: 'planted', mode: 'live' }))).toBe('FORBIDDEN');
    expect(await codeOf(attacker.trpc.auth.logOutEverywhere.mutate())).toBe('FORBIDDEN');
    expect(await api.db.models.Site.countDocuments({ 'members.userId': victim.userId })).toBe(0);
    expect((await victim.trpc.auth.me.query()).user).not.toBeNull();
  });

  test('a cross-site login is refused too (login CSRF)', async () => {
    const client = await signedUpClient(api);
    expect(await codeOf(api.client({ origin: 'https://evil.example' }).trpc.auth.logIn.mutate({ email: client.email, password: PASSWORD }))).toBe('FORBIDDEN');
  });

  test.each([
    ['Sec-Fetch-Site same-origin without Origin', { origin: null, headers: { 'sec-fetch-site': 'same-origin' } }],
    ['a configured dashboard origin', { origin: 'http://localhost:5173' }],
  ])('a mutation with %s passes', async (_name, options) => {
    const victim = await signedUpClient(api);
    const client = api.client(options);
    for (const [k, v] of victim.cookies) client.cookies.set(k, v);
    expect(await codeOf(client.trpc.sites.create.mutate({ name: 'ok', mode: 'test' }))).toBe('OK');
  });

  test('a cross-site query still works: reads are GETs the attacker cannot read the answer of', async () => {
    const victim = await signedUpClient(api);
    const client = api.client({ origin: 'https://evil.example' });
    for (const [k, v] of victim.cookies) client.cookies.set(k, v);
    expect(await codeOf(client.trpc.auth.me.query())).toBe('OK');
  });
});
