/**
 * npm run bench:beacon — one load generator (autocannon) on loopback, bounded in time:
 *  (a) a bare node:http server answering 204 (the ceiling of this machine),
 *  (b) the beacon on the embedded database with realistic payloads, at full speed,
 *  (c) the beacon at half of (b)'s rate, for the latency figure.
 * Each server runs in its own process; the generator runs here.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { startBeaconProcess, startListening } from '../test/beacon-process.js';
import { beaconPayload, chromiumBeaconHeaders } from '../test/helpers.js';
import { NO_SOURCE_LIMITS, openBenchDatabase, runLoad } from './support.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const CONNECTIONS = 50;

const bench = await openBenchDatabase('tw_bench_beacon');
const { db, site } = bench;
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
const bare = await startListening(path.join(HERE, 'bare-server.ts'), {});
await runLoad({ url: bare.url, connections: CONNECTIONS, duration: 2, requests: [requestOptions] }); // warm-up
const bareResult = await runLoad({ url: bare.url, connections: CONNECTIONS, duration: DURATION_S, requests: [requestOptions] });
await bare.stop();

// (b) beacon, full speed
const beacon = await startBeaconProcess(bench, bench.masterKey, NO_SOURCE_LIMITS);
const warm = await runLoad({ url: beacon.url, connections: CONNECTIONS, duration: 2, requests: [requestOptions] });
const full = await runLoad({ url: beacon.url, connections: CONNECTIONS, duration: DURATION_S, requests: [requestOptions] });

// (c) half of the maximum rate, for latency. A fixed number of requests (not a duration), so
// the run ends only when every response is in: its 2xx count must equal what it stored.
const halfRate = Math.max(1, Math.floor(full.requests.average / 2));
// Requests in flight when run (b) stopped are still being stored: wait until the count settles.
let storedBefore = -1;
for (let settled = await db.models.Event.countDocuments({}); settled !== storedBefore; ) {
  storedBefore = settled;
  await new Promise((r) => setTimeout(r, 500));
  settled = await db.models.Event.countDocuments({});
}
const half = await runLoad({
  url: beacon.url,
  connections: CONNECTIONS,
  amount: halfRate * DURATION_S,
  overallRate: halfRate,
  requests: [requestOptions],
});
const accepted = half['2xx'];
const stored = (await db.models.Event.countDocuments({})) - storedBefore;
await beacon.stop();
void warm;

// (d) the store's own ceiling: the same event documents inserted directly, in batches of 256,
// for as long as run (b). This is what bounds the beacon on the embedded database.
const template = await db.models.Event.findOne({}).lean();
let inserted = 0;
const storeStart = performance.now();
while (template && performance.now() - storeStart < DURATION_S * 1000) {
  const batch = Array.from({ length: 256 }, () => {
    const { _id: _ignored, ...rest } = template;
    return { ...rest, eventId: randomBytes(12).toString('base64url') };
  });
  await db.models.Event.collection.insertMany(batch, { ordered: false });
  inserted += batch.length;
}
const storeRps = inserted / ((performance.now() - storeStart) / 1000);
const bareRps = bareResult.requests.average;
const beaconRps = full.requests.average;
process.stdout.write(
  [
    `bare:   ${bareRps.toFixed(0)} req/s, p99 ${bareResult.latency.p99} ms, non-2xx ${bareResult.non2xx}`,
    `beacon: ${beaconRps.toFixed(0)} req/s, p99 ${full.latency.p99} ms, non-2xx ${full.non2xx}, errors ${full.errors}`,
    `beacon @ ${halfRate} req/s (half): p50 ${half.latency.p50} ms, p99 ${half.latency.p99} ms, non-2xx ${half.non2xx}`,
    `store ceiling: ${storeRps.toFixed(0)} events/s (insertMany x256 of the same documents, no HTTP); beacon/store = ${(beaconRps / storeRps).toFixed(2)}`,
    '',
  ].join('\n'),
);
await bench.close();
// A run whose beacons were refused measured the refusal path, not the beacon: say so and fail.
const refused = [full.non2xx, half.non2xx].some((n) => n > 0) || storeRps === 0;
if (refused) process.stderr.write(`bench beacon: INVALID RUN: non-2xx answers (full ${full.non2xx}, half ${half.non2xx}) or nothing stored\n`);
process.stdout.write(
  `bench beacon: bare_rps=${bareRps.toFixed(0)} beacon_rps=${beaconRps.toFixed(0)} ratio=${(beaconRps / bareRps).toFixed(3)} p99_ms=${half.latency.p99} stored=${stored} accepted=${accepted} store_eps=${storeRps.toFixed(0)}\n`,
);
if (refused) process.exitCode = 1;
