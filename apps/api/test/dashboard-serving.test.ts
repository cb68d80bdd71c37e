import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SPA_FALLBACK, dashboardRouter, inlineScriptHashes } from '../src/http/dashboard.js';
import { securityHeaders } from '../src/http/security-headers.js';
import { loadApiConfig } from '../src/config.js';

/** A build laid out as SvelteKit's adapter-static writes it, with its one inline boot script. */
const BOOT = `{ __sveltekit_x = { base: "" }; import("/_app/immutable/entry/start.abc.js"); }`;
const page = (boot: string) =>
  `<!doctype html><html><head><link href="/_app/immutable/entry/start.abc.js" rel="modulepreload"></head>` +
  `<body><div style="display: contents"><script>${boot}</script></div></body></html>`;
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

let dir: string;
let server: http.Server;
let base: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-dashboard-build-'));
  fs.mkdirSync(path.join(dir, '_app/immutable/entry'), { recursive: true });
  fs.writeFileSync(path.join(dir, SPA_FALLBACK), page(BOOT));
  fs.writeFileSync(path.join(dir, '_app/immutable/entry/start.abc.js'), 'export const start = 1;');
  fs.writeFileSync(path.join(dir, '_app/version.json'), '{"version":"1"}');
  const app = express();
  app.use(securityHeaders);
  app.use(dashboardRouter(dir));
  app.use((_req, res) => void res.status(404).json({ error: { code: 'not_found' } }));
  server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(dir, { recursive: true, force: true });
});

const html = (p: string) => fetch(`${base}${p}`, { headers: { accept: 'text/html' } });

describe('serving the built dashboard', () => {
  test.each(['/', '/sites', '/sites/abc/events?verdict=fraud', '/admin/review', '/no/such/page'])(
    'every page address (%s) gets the fallback page, uncached, so a reload keeps the route',
    async (address) => {
      const res = await html(address);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(page(BOOT));
    },
  );

  test('the CSP allows the boot script by its hash and nothing else inline', async () => {
    const csp = (await html('/sites')).headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split('; ').find((d) => d.startsWith('script-src'));
    expect(scriptSrc).toBe(`script-src 'self' ${sha256(BOOT)}`);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  test('a rebuild while the API runs is served with its own hash', async () => {
    const rebuilt = BOOT.replace('__sveltekit_x', '__sveltekit_y');
    const file = path.join(dir, SPA_FALLBACK);
    fs.writeFileSync(file, page(rebuilt));
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(file, later, later);
    const res = await html('/sites');
    expect(res.headers.get('content-security-policy')).toContain(sha256(rebuilt));
    expect(await res.text()).toBe(page(rebuilt));
    fs.writeFileSync(file, page(BOOT));
  });

  test('content-hashed files are cached for a year; a missing one is a 404, not the page', async () => {
    const asset = await fetch(`${base}/_app/immutable/entry/start.abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}/_app/immutable/entry/gone.js`, { headers: { accept: 'text/html' } })).status).toBe(404);
  });

  test('other files are served uncached (the version file the client checks after a deploy)', async () => {
    const res = await fetch(`${base}/_app/version.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=0');
  });

  test('a request that does not want HTML is not answered with the page', async () => {
    const res = await fetch(`${base}/sites`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
  });

  test('without a build the API says how to make one', async () => {
    const app = express().use(dashboardRouter(path.join(dir, 'missing')));
    const bare = http.createServer(app);
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(bare.address() as AddressInfo).port}/sites`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(503);
      expect(await res.text()).toContain('npm run build -w @tagward/dashboard');
    } finally {
      await new Promise<void>((resolve) => bare.close(() => resolve()));
    }
  });
});

test('only inline scripts are hashed: a script with src is allowed by self', () => {
  const hashes = inlineScriptHashes('<script src="/a.js"></script><script type="module">go()</script><SCRIPT>x</SCRIPT>');
  expect(hashes).toEqual([sha256('go()'), sha256('x')]);
});

describe('where the API finds the dashboard build', () => {
  const masterKey = Buffer.alloc(32, 7).toString('base64');

  test('by default, the dashboard build in this checkout', () => {
    const config = loadApiConfig({ TAGWARD_MASTER_KEY: masterKey });
    expect(config.dashboardDir).toBe(path.resolve(import.meta.dirname, '../../dashboard/build'));
  });

  test('TAGWARD_DASHBOARD_DIR points it elsewhere', () => {
    expect(loadApiConfig({ TAGWARD_MASTER_KEY: masterKey, TAGWARD_DASHBOARD_DIR: '/srv/tagward/dashboard' }).dashboardDir).toBe('/srv/tagward/dashboard');
  });
});
