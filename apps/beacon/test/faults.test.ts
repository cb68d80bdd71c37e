import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, expect, test } from 'vitest';
import { connectDatabase, ensureIndexes, startServer, stopServer, type ServerState } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { createBeacon } from '../src/server.js';
import { createCheckers } from '../src/checkers.js';
import { beaconPayload, postBeacon, seedSite, testConfig } from './helpers.js';

// This test owns a database server of its own, so stopping it disturbs nobody else.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-faults-'));
const silent = () => undefined;
let server: ServerState | undefined;

afterAll(async () => {
  if (server) await stopServer(server);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

test('under load, a database outage yields 503s, never a 2xx for an unwritten event, and the beacon recovers by itself', async () => {
  server = await startServer({ dataDir, log: silent });
  const db = await connectDatabase(server.uri, 'faults', { bufferCommands: false, serverSelectionTimeoutMS: 800 });
  await ensureIndexes(db);
  const masterKey = generateMasterKey();
  const site = await seedSite(db, masterKey);
  const config = testConfig(masterKey, { visitorLimitPerWindow: 1_000_000, keyLimitPerWindow: 1_000_000 });
  const log = pino({ level: 'silent' });
  const beacon = await createBeacon({ db, config, log, ...createCheckers({ db, config, log }) });
  const url = await beacon.listen(0, '127.0.0.1');

  const results: Array<{ id: string; status: number; phase: string }> = [];
  let phase = 'before';
  let running = true;
  const worker = async () => {
    while (running) {
      const payload = beaconPayload(site.publicKey);
      const res = await postBeacon(url, JSON.stringify(payload)).catch(() => ({ status: 0 }));
      results.push({ id: payload.id, status: res.status, phase });
      if (res.status !== 200) await sleep(20);
    }
  };
  const workers = Array.from({ length: 6 }, worker);

  await sleep(1500);
  phase = 'down';
  await stopServer(server);
  await sleep(2000);
  phase = 'restarting';
  server = await startServer({ dataDir, log: silent, port: server.port });
  // The driver reconnects by itself; how soon depends on the machine's load, so wait for the
  // first stored beacon (30 s at most) instead of a fixed time.
  const deadline = Date.now() + 30_000;
  while (!results.some((r) => r.phase === 'restarting' && r.status === 200) && Date.now() < deadline) await sleep(100);
  phase = 'after';
  await sleep(1500);
  running = false;
  await Promise.all(workers);
  await beacon.close();

  const accepted = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status !== 200);
  expect(accepted.length).toBeGreaterThan(20);
  expect(refused.length).toBeGreaterThan(0);
  // Everything that was not stored was told so with a 503 (never a reset, never a 2xx).
  expect(new Set(refused.map((r) => r.status))).toEqual(new Set([503]));
  // It recovered without a restart.
  expect(results.filter((r) => r.phase === 'after' && r.status === 200).length).toBeGreaterThan(0);

  const stored = await db.models.Event.find({}, { eventId: 1 }).lean();
  const storedIds = new Map<string, number>();
  for (const e of stored) storedIds.set(e.eventId, (storedIds.get(e.eventId) ?? 0) + 1);
  for (const r of accepted) expect(storedIds.get(r.id)).toBe(1);
  expect([...storedIds.values()].every((n) => n === 1)).toBe(true);
  await db.close();
});
