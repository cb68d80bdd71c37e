/**
 * npm run bench:beacon — one load generator (autocannon) on loopback, bounded in time:
 *  (a) a bare node:http server answering 204 (the ceiling of this machine),
 *  (b) the beacon on the embedded database with realistic payloads, at full speed,
 *  (c) the beacon at half of (b)'s rate, for the latency figure.
 * Each server runs in its own process; the generator runs here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { beaconPayload, chromiumBeaconHeaders, seedSite } from '../test/helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = 50;

function start(script: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.includes('listening'));
      if (line) resolve({ url: JSON.parse(line).url as string, child });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function run(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}

const database = await resolveDatabase(process.env.MONGODB_URI, { log: () => undefined });
const dbName = `tw_bench_beacon_${randomBytes(3).toString('hex')}`;
const db = await connectDatabase(database.uri, dbName);
await ensureIndexes(db);
const masterKey = generateMasterKey();
const site = await seedSite(db, masterKey);
const headers = chromiumBeaconHeaders();
const requestOptions = {
  method: 'POST' as const,
  path: '/v1/collect',
  headers,
  setupRequest: (request: autocannon.Request) => {
    request.body = JSON.stringify(beaconPayload(site.publicKey));
    return request;
  },
};

// (a) bare
const bare = await start(path.join(HERE, 'bare-server.ts'), {});
await run({ url: bare.url, connections: CONNECTIONS, duration: 2, requests: [requestOptions] }); // warm-up
const bareResult = await run({ url: bare.url, connections: CONNECTIONS, duration: DURATION_S, requests: [requestOptions] });
await stop(bare.child);

// (b) beacon, full speed
const beaconEnv = {
  MONGODB_URI: database.uri,
  TAGWARD_DB_NAME: dbName,
  TAGWARD_MASTER_KEY: masterKey,
  BEACON_PORT: '0',
  BEACON_KEY_LIMIT: '100000000',
  BEACON_VISITOR_LIMIT: '100000000',
  LOG_LEVEL: 'info',
};
const beacon = await start(path.join(HERE, '../src/main.ts'), beaconEnv);
const warm = await run({ url: beacon.url, connections: CONNECTIONS, duration: 2, requests: [requestOptions] });
const full = await run({ url: beacon.url, connections: CONNECTIONS, duration: DURATION_S, requests: [requestOptions] });

// (c) half of the maximum rate, for latency
const halfRate = Math.max(1, Math.floor(full.requests.average / 2));
const half = await run({
  url: beacon.url,
  connections: CONNECTIONS,
  duration: DURATION_S,
  overallRate: halfRate,
  requests: [requestOptions],
});
await stop(beacon.child);

// Every 2xx of every run against the beacon (warm-up included) must be stored exactly once.
const accepted = warm['2xx'] + full['2xx'] + half['2xx'];
const stored = await db.models.Event.countDocuments({});
const bareRps = bareResult.requests.average;
const beaconRps = full.requests.average;
process.stdout.write(
  [
    `bare:   ${bareRps.toFixed(0)} req/s, p99 ${bareResult.latency.p99} ms, non-2xx ${bareResult.non2xx}`,
    `beacon: ${beaconRps.toFixed(0)} req/s, p99 ${full.latency.p99} ms, non-2xx ${full.non2xx}, errors ${full.errors}`,
    `beacon @ ${halfRate} req/s (half): p50 ${half.latency.p50} ms, p99 ${half.latency.p99} ms, non-2xx ${half.non2xx}`,
    '',
  ].join('\n'),
);
await db.conn.dropDatabase();
await db.close();
await database.release();
process.stdout.write(
  `bench beacon: bare_rps=${bareRps.toFixed(0)} beacon_rps=${beaconRps.toFixed(0)} ratio=${(beaconRps / bareRps).toFixed(3)} p99_ms=${half.latency.p99} stored=${stored} accepted=${accepted}\n`,
);
