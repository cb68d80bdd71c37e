import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { generateMasterKey } from '@tagward/keys';
import { beaconPayload, chromiumBeaconHeaders, postBeacon, seedSite, type TestSite } from './helpers.js';

let db: TestDatabase;
let site: TestSite;
let child: ChildProcess;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase('cluster');
  const masterKey = generateMasterKey();
  site = await seedSite(db, masterKey);
  child = spawn(process.execPath, ['--import', 'tsx', path.resolve('src/main.ts')], {
    env: {
      ...process.env,
      MONGODB_URI: db.uri,
      TAGWARD_DB_NAME: db.dbName,
      TAGWARD_MASTER_KEY: masterKey,
      BEACON_PORT: '0',
      BEACON_METRICS_PORT: '0',
      // 200 visitors at once, all from 127.0.0.1.
      BEACON_MAX_CONNECTIONS_PER_ADDRESS: '1000',
      BEACON_ADDRESS_LIMIT: '100000',
      BEACON_NETWORK_LIMIT: '100000',
      BEACON_WORKERS: '2',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const listening = new Set<number>();
  url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('beacon listening')) continue;
        const entry = JSON.parse(line) as { url: string; pid: number };
        listening.add(entry.pid);
        if (listening.size === 2) resolve(entry.url);
      }
    });
    child.on('exit', (code) => reject(new Error(`cluster exited early with ${code}`)));
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  await db?.dispose();
});

test('with two workers, the rollups count every stored event exactly once (each worker writes its own increments)', async () => {
  const n = 200;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      postBeacon(url, JSON.stringify(beaconPayload(site.publicKey)), {
        ...chromiumBeaconHeaders(),
        'User-Agent': `Mozilla/5.0 visitor-${i % 50}`,
      }),
    ),
  );
  expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.error?.code}`)).toEqual([]);
  const stored = await db.models.Event.countDocuments({});
  expect(stored).toBe(n);
  let total = 0;
  for (let i = 0; i < 50 && total !== n; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const rollups = await db.models.HourlyRollup.find({}).lean();
    total = rollups.reduce((sum, r) => sum + (r.total ?? 0), 0);
  }
  expect(total).toBe(n);
});

test('SIGTERM stops the workers and the primary cleanly', async () => {
  const code = await new Promise<number | null>((resolve) => {
    child.once('exit', (c) => resolve(c));
    child.kill('SIGTERM');
  });
  expect(code).toBe(0);
});
