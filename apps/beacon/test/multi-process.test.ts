import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { generateMasterKey } from '@tagward/keys';
import { beaconPayload, mintAgedToken, chromiumBeaconHeaders, postBeacon, seedSite, type TestSite } from './helpers.js';

const KEY_LIMIT = 40;
const WINDOW_MS = 10 * 60_000;
let db: TestDatabase;
let site: TestSite;
const processes: ChildProcess[] = [];
const urls: string[] = [];

function startProcess(masterKey: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('src/main.ts')], {
    env: {
      ...process.env,
      MONGODB_URI: db.uri,
      TAGWARD_DB_NAME: db.dbName,
      TAGWARD_MASTER_KEY: masterKey,
      BEACON_PORT: '0',
      BEACON_METRICS_PORT: '0',
      BEACON_KEY_LIMIT: String(KEY_LIMIT),
      BEACON_VISITOR_LIMIT: '1000',
      BEACON_RATE_WINDOW_MS: String(WINDOW_MS),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  processes.push(child);
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (const line of buffer.split('\n')) {
        if (line.includes('beacon listening')) resolve(JSON.parse(line).url as string);
      }
    });
    child.on('exit', (code) => reject(new Error(`beacon exited early with ${code}`)));
  });
}

beforeAll(async () => {
  db = await createTestDatabase('multi_process');
  const masterKey = generateMasterKey();
  site = await seedSite(db, masterKey);
  urls.push(...(await Promise.all([startProcess(masterKey), startProcess(masterKey)])));
});

afterAll(async () => {
  await Promise.all(
    processes.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  await db?.dispose();
});

test('two processes run as separate servers on their own ports', () => {
  expect(urls).toHaveLength(2);
  expect(urls[0]).not.toBe(urls[1]);
});

test('a token spent on one process is caught as a replay on the other', async () => {
  const token = await mintAgedToken(site);
  const first = beaconPayload(site.publicKey, { token });
  const second = beaconPayload(site.publicKey, { token });
  expect((await postBeacon(urls[0]!, JSON.stringify(first))).status).toBe(200);
  expect((await postBeacon(urls[1]!, JSON.stringify(second))).status).toBe(200);
  const [a, b] = await Promise.all([
    db.models.Event.findOne({ eventId: first.id }).lean(),
    db.models.Event.findOne({ eventId: second.id }).lean(),
  ]);
  expect(a?.tokenValid).toBe(true);
  expect(b?.tokenValid).toBe(false);
  expect(b?.verdict).toBe('fraud');
});

test('the per-key limit holds across both processes', async () => {
  // Stay inside one window: if the current one ends soon, wait for the next.
  const remaining = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (remaining < 60_000) await new Promise((r) => setTimeout(r, remaining + 100));
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: 120 }, async (_, i) => {
      const headers = { ...chromiumBeaconHeaders(), 'User-Agent': `Mozilla/5.0 visitor-${i}` };
      const res = await postBeacon(urls[i % 2]!, JSON.stringify(beaconPayload(site.publicKey)), headers);
      statuses.push(res.status);
    }),
  );
  const accepted = statuses.filter((s) => s === 200).length;
  // The two beacons of the replay test may or may not share this window.
  expect(await db.models.Event.countDocuments({})).toBeLessThanOrEqual(accepted + 2);
  expect(accepted).toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(KEY_LIMIT);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(120 - KEY_LIMIT);
});
