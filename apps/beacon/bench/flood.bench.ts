/**
 * npm run bench:flood — one source floods the beacon at full speed (autocannon from 127.0.0.1,
 * one user agent, random ids, a copied Chromium header set) while 50 legitimate visitors, each on
 * a loopback address of its own network (127.0.N.1), send beacons at human rates. The beacon runs
 * in its own process with its default limits, on the embedded database. Bounded in time.
 *
 * Last line: `bench flood: flood_rps=<n> legit_sent=<n> legit_accepted=<n> legit_p99_ms=<n>`.
 * Goal: every legitimate beacon accepted, with p99 <= 50 ms.
 */
import http from 'node:http';
import type autocannon from 'autocannon';
import { startBeaconProcess } from '../test/beacon-process.js';
import { beaconPayload, chromiumBeaconHeaders } from '../test/helpers.js';
import { openBenchDatabase, runLoad } from './support.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const VISITORS = 50;
/** A visitor's page views come every 1–3 s: busy humans. */
const VISITOR_GAP_MS = [1000, 3000] as const;

function post(url: string, body: string, headers: Record<string, string>, agent: http.Agent, localAddress: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(new URL('/v1/collect', url), { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent, localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    });
    req.on('error', () => resolve({ status: 0, ms: performance.now() - started }));
    req.end(body);
  });
}

/** One visitor: its own address and network, its own browser, a beacon every few seconds. */
async function visitor(i: number, url: string, publicKey: string, until: number, results: Array<{ status: number; ms: number }>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const headers = { ...chromiumBeaconHeaders(), 'User-Agent': `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.${i}.0 Safari/537.36` };
  // Spread the visitors' first beacons over the first gap.
  await new Promise((r) => setTimeout(r, (i / VISITORS) * VISITOR_GAP_MS[0]));
  while (Date.now() < until) {
    results.push(await post(url, JSON.stringify(beaconPayload(publicKey)), headers, agent, `127.0.${i + 1}.1`));
    await new Promise((r) => setTimeout(r, VISITOR_GAP_MS[0] + Math.random() * (VISITOR_GAP_MS[1] - VISITOR_GAP_MS[0])));
  }
  agent.destroy();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : 0;
}

const bench = await openBenchDatabase('tw_bench_flood');
const { db, site } = bench;
// Its default limits: they are what is measured.
const beacon = await startBeaconProcess(bench, bench.masterKey);

const until = Date.now() + DURATION_S * 1000;
const legit: Array<{ status: number; ms: number }> = [];
const visitors = Promise.all(Array.from({ length: VISITORS }, (_, i) => visitor(i, beacon.url, site.publicKey, until, legit)));
const flood = await runLoad({
  url: beacon.url,
  connections: 32,
  duration: DURATION_S,
  requests: [
    {
      method: 'POST',
      path: '/v1/collect',
      headers: chromiumBeaconHeaders(),
      setupRequest: (request: autocannon.Request) => ({ ...request, body: JSON.stringify(beaconPayload(site.publicKey)) }),
    },
  ],
});
await visitors;
const floodStored = await db.models.Event.estimatedDocumentCount();

const accepted = legit.filter((r) => r.status === 200);
const p99 = percentile(accepted.map((r) => r.ms), 0.99);
const statuses = new Map<number, number>();
for (const r of legit) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
process.stdout.write(
  [
    `flood: ${flood.requests.average.toFixed(0)} req/s from one address for ${DURATION_S} s (${flood['2xx']} accepted, ${flood.non2xx} refused, ${flood.errors} errors)`,
    `legit: ${legit.length} beacons from ${VISITORS} visitors; statuses ${JSON.stringify(Object.fromEntries(statuses))}; p50 ${percentile(accepted.map((r) => r.ms), 0.5).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    `stored: ${floodStored} events in all`,
    '',
  ].join('\n'),
);
await beacon.stop();
await bench.close();
process.stdout.write(`bench flood: flood_rps=${flood.requests.average.toFixed(0)} legit_sent=${legit.length} legit_accepted=${accepted.length} legit_p99_ms=${p99.toFixed(1)}\n`);
