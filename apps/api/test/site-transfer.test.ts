import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { codeOf, signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';
import { HOUR_MS, recordEvents } from './support/record-events.js';
import { exportSite, importSite } from '../src/services/site-transfer.js';

let api: TestApi;
let owner: TestClient & { email: string };
let siteId: string;

beforeAll(async () => {
  api = await startTestApi('site_transfer');
  owner = await signedUpClient(api);
  siteId = (await owner.trpc.sites.create.mutate({ name: 'Moving shop', mode: 'live' })).site.id;
  await owner.trpc.origins.add.mutate({ siteId, origin: 'https://moving.example' });
  const now = Date.now();
  await recordEvents(
    api.db,
    new Types.ObjectId(siteId),
    Array.from({ length: 1200 }, (_, i) => ({
      receivedAt: new Date(now - (i % 48) * HOUR_MS - i),
      path: `/p${i % 7}`,
      verdict: i % 9 === 0 ? ('fraud' as const) : ('trusted' as const),
      score: i % 9 === 0 ? 0.1 : 0.9,
      checks: [{ id: 'title', pass: i % 2 === 0 }],
    })),
  );
});
afterAll(async () => {
  await api?.close();
});

async function snapshot() {
  const [overview, pages, events] = await Promise.all([
    owner.trpc.stats.overview.query({ siteId, preset: '7d' }),
    owner.trpc.stats.topPages.query({ siteId, preset: '7d' }),
    api.db.models.Event.find({ siteId: new Types.ObjectId(siteId) }).sort({ _id: 1 }).lean(),
  ]);
  return { totals: overview.totals, series: overview.series, checks: overview.checks, pages: pages.pages, events };
}

test('a site exported, deleted and imported again has the same settings, events and numbers', async () => {
  const before = await snapshot();
  const keysBefore = await owner.trpc.keys.list.query({ siteId });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-transfer-')), 'site.ndjson');
  const stream = fs.createWriteStream(file);
  const exported = await exportSite(api.db, siteId, stream);
  await new Promise<void>((resolve) => stream.end(() => resolve()));
  expect(exported.event).toBe(1200);

  await owner.trpc.sites.delete.mutate({ siteId, confirmName: 'Moving shop' });
  expect(await codeOf(owner.trpc.sites.get.query({ siteId }))).toBe('NOT_FOUND');

  const imported = await importSite(api.db, fs.createReadStream(file));
  expect(imported).toMatchObject({ siteId, counts: exported, unknownMembers: [] });
  const site = await owner.trpc.sites.get.query({ siteId });
  expect(site).toMatchObject({ name: 'Moving shop', allowedOrigins: ['https://moving.example'], role: 'owner' });
  expect((await owner.trpc.keys.list.query({ siteId })).map((k) => k.kid)).toEqual(keysBefore.map((k) => k.kid));
  expect(await snapshot()).toEqual(before);
});

test('importing a site that exists here is refused, and a cut-short file leaves nothing behind', async () => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await exportSite(api.db, siteId, out);
  const text = Buffer.concat(chunks).toString('utf8');
  await expect(importSite(api.db, PassThrough.from([text]))).rejects.toMatchObject({ code: 'site_exists' });

  await owner.trpc.sites.delete.mutate({ siteId, confirmName: 'Moving shop' });
  const cut = text.split('\n').slice(0, 500).join('\n');
  await expect(importSite(api.db, PassThrough.from([cut]))).rejects.toMatchObject({ code: 'truncated' });
  expect(await api.db.models.Site.exists({ _id: new Types.ObjectId(siteId) })).toBeNull();
  expect(await api.db.models.Event.countDocuments({ siteId: new Types.ObjectId(siteId) })).toBe(0);
  // The whole file still imports afterwards.
  await importSite(api.db, PassThrough.from([text]));
  expect(await api.db.models.Event.countDocuments({ siteId: new Types.ObjectId(siteId) })).toBe(1200);
});

test('npm run export:site and import:site move a site through a file, as the README says', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-transfer-cli-'));
  const env = { ...process.env, MONGODB_URI: api.db.uri, TAGWARD_DB_NAME: api.db.dbName };
  const root = path.resolve('../..');
  // Typed in another folder: a relative --out is relative to it.
  const run = (args: string[]) => spawnSync('npm', ['--prefix', root, 'run', ...args], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  const exported = run(['export:site', '--', '--site', siteId, '--out', 'moving.ndjson']);
  expect(exported.stdout + exported.stderr).toContain(`exported site ${siteId}`);
  expect(fs.existsSync(path.join(dir, 'moving.ndjson'))).toBe(true);
  const refused = run(['import:site', '--', '--in', 'moving.ndjson']);
  expect(refused.status).not.toBe(0);
  expect(refused.stdout + refused.stderr).toMatch(/import failed: a site with id .* already exists here/);
}, 180_000);
