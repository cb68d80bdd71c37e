/**
 * Findings "Cookie prefix (low)" and "Sessions and headers (info)", written as the attacks:
 * production also accepted the plain `tagward_session` cookie (which a sibling subdomain can
 * set, logging the victim into the attacker's account); sessions slid forever; there was no HSTS
 * or Permissions-Policy; source maps were served to anyone.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEV_COOKIE_NAME, SECURE_COOKIE_NAME } from '@tagward/auth';
import { loadApiConfig } from '../src/config.js';
import { SPA_FALLBACK } from '../src/http/dashboard.js';
import { PASSWORD, signedUpClient, startTestApi, type TestApi } from './helpers.js';

const DAY = 24 * 3_600_000;
let production: TestApi;
let development: TestApi;
let dashboardDir: string;

beforeAll(async () => {
  dashboardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-hardening-'));
  fs.mkdirSync(path.join(dashboardDir, '_app/immutable/entry'), { recursive: true });
  fs.writeFileSync(path.join(dashboardDir, SPA_FALLBACK), '<!doctype html><html><body>app</body></html>');
  fs.writeFileSync(path.join(dashboardDir, '_app/immutable/entry/start.js'), 'export {};');
  fs.writeFileSync(path.join(dashboardDir, '_app/immutable/entry/start.js.map'), '{"sources":["secret.ts"]}');
  production = await startTestApi('api_hardening_prod', { production: true, publicUrl: 'https://dash.example.com', dashboardDir });
  development = await startTestApi('api_hardening_dev', { dashboardDir });
});
afterAll(async () => {
  await production?.close();
  await development?.close();
  fs.rmSync(dashboardDir, { recursive: true, force: true });
});

/** `auth.me` with a raw Cookie header and Host, as a browser on that host would send it. */
function meWith(api: TestApi, cookie: string, host = 'dash.example.com'): Promise<{ user: unknown }> {
  const { port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/trpc/auth.me', headers: { cookie, host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve((JSON.parse(body) as { result: { data: { user: unknown } } }).result.data));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A session token of a new verified account on `api`. */
async function tokenOf(api: TestApi): Promise<string> {
  const client = await signedUpClient(api);
  return [...client.cookies.values()][0]!;
}

describe('the cookie prefix', () => {
  test('production ignores a plain tagward_session cookie (as a sibling subdomain would plant it)', async () => {
    const attackersSession = await tokenOf(production);
    expect((await meWith(production, `${DEV_COOKIE_NAME}=${attackersSession}`)).user).toBeNull();
    expect((await meWith(production, `${SECURE_COOKIE_NAME}=${attackersSession}`)).user).not.toBeNull();
  });

  test('production sets only Secure __Host- cookies, even for a plain-http localhost request', async () => {
    const client = production.client();
    const email = (await signedUpClient(production)).email;
    await client.trpc.auth.logIn.mutate({ email, password: PASSWORD });
    expect(client.lastSetCookie[0]).toMatch(new RegExp(`^${SECURE_COOKIE_NAME}=.*; Secure$`));
  });

  test('outside production a secure request reads only the __Host- cookie as well', async () => {
    const session = await tokenOf(development);
    expect((await meWith(development, `${DEV_COOKIE_NAME}=${session}`)).user).toBeNull();
    expect((await meWith(development, `${DEV_COOKIE_NAME}=${session}`, new URL(development.url).host)).user).not.toBeNull();
  });
});

describe('sessions', () => {
  test('a session used every day still ends at its absolute lifetime', async () => {
    const client = await signedUpClient(development);
    const id = [...client.cookies.values()][0]!.split('.')[0];
    // Created 31 days ago and used every day since: the idle expiry is fresh, the absolute one past.
    const created = new Date(Date.now() - 31 * DAY);
    await development.db.models.Session.updateOne(
      { _id: id },
      { $set: { createdAt: created, absoluteExpiresAt: new Date(created.getTime() + development.config.sessionMaxHours * 3_600_000), expiresAt: new Date(Date.now() + 10 * DAY) } },
    );
    expect((await client.trpc.auth.me.query()).user).toBeNull();
    expect(await development.db.models.Session.findById(id).lean()).toBeNull();
  });

  test.each([
    ['TAGWARD_SESSION_IDLE_HOURS', '2', 'sessionIdleHours', 2],
    ['TAGWARD_SESSION_MAX_HOURS', '48', 'sessionMaxHours', 48],
  ])('%s=%s takes effect', (name, value, field, expected) => {
    const config = loadApiConfig({ TAGWARD_MASTER_KEY: 'A'.repeat(43) + '=', [name]: value });
    expect(config[field as 'sessionIdleHours']).toBe(expected);
  });
});

describe('headers and source maps', () => {
  test('production sends HSTS and a Permissions-Policy; development sends no HSTS', async () => {
    const prod = await fetch(`${production.url}/healthz`);
    expect(prod.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    expect(prod.headers.get('permissions-policy')).toContain('camera=()');
    const dev = await fetch(`${development.url}/healthz`);
    expect(dev.headers.get('strict-transport-security')).toBeNull();
  });

  test('production does not serve source maps; development does', async () => {
    expect((await fetch(`${production.url}/_app/immutable/entry/start.js.map`)).status).toBe(404);
    expect((await fetch(`${production.url}/_app/immutable/entry/start.js`)).status).toBe(200);
    expect((await fetch(`${development.url}/_app/immutable/entry/start.js.map`)).status).toBe(200);
  });

  test('production refuses to start without SMTP_URL or with a plain-http dashboard URL', () => {
    // Everything else production asks for is given (production-config.test.ts covers the rest).
    const env = {
      TAGWARD_MASTER_KEY: 'A'.repeat(43) + '=',
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db1.example,db2.example,db3.example/?replicaSet=rs0',
      COOKIE_SECURE: 'always',
      TAGWARD_PUBLIC_BEACON_URL: 'https://beacon.example.com',
    };
    expect(() => loadApiConfig(env)).toThrow(/SMTP_URL is required in production/);
    expect(() => loadApiConfig({ ...env, SMTP_URL: 'smtp://mail:25', TAGWARD_DASHBOARD_URL: 'http://dash.example.com' })).toThrow(/must be https/);
    expect(loadApiConfig({ ...env, SMTP_URL: 'smtp://mail:25', TAGWARD_DASHBOARD_URL: 'https://dash.example.com' }).production).toBe(true);
  });
});
