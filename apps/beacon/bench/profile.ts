/**
 * npm run profile:beacon -w @tagward/beacon — a CPU profile of the beacon under load: the beacon
 * runs in a child process with `--cpu-prof`, autocannon drives it with realistic beacons for a
 * few seconds, and the profile is summarised as the functions with the most self time (and the
 * share of each package). The raw `.cpuprofile` is kept (open it in Chrome DevTools for a flame
 * chart); its path is printed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { startBeaconProcess } from '../test/beacon-process.js';
import { beaconPayload, chromiumBeaconHeaders, mintAgedToken } from '../test/helpers.js';
import { NO_SOURCE_LIMITS, openBenchDatabase, runLoad } from './support.js';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const bench = await openBenchDatabase('tw_profile');
const { site } = bench;
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-profile-'));
const beacon = await startBeaconProcess(bench, bench.masterKey, NO_SOURCE_LIMITS, { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] });
// Half the beacons carry a page token, as on a site that mints them.
const tokens = await Promise.all(Array.from({ length: 2000 }, () => mintAgedToken(site, '/products/widget', 0)));
let next = 0;
const result = await runLoad({
  url: beacon.url,
  connections: 50,
  duration: DURATION_S,
  requests: [
    {
      method: 'POST',
      path: '/v1/collect',
      headers: chromiumBeaconHeaders(),
      setupRequest: (request: autocannon.Request) => {
        const token = next % 2 === 0 ? tokens[(next / 2) % tokens.length] : undefined;
        next++;
        return { ...request, body: JSON.stringify(beaconPayload(site.publicKey, token ? { token } : {})) };
      },
    },
  ],
});
// The profile is written when the beacon exits.
await beacon.stop();
await bench.close();

const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8')) as CpuProfile;
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byArea = new Map<string, number>();
const area = (url: string) => {
  if (!url) return '(native / idle / gc)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1]!;
  const own = /(apps|packages)\/([^/]+)/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  return url.startsWith('node:') ? 'node core' : 'other';
};
for (const node of profile.nodes) {
  const us = self.get(node.id) ?? 0;
  if (!us) continue;
  const { functionName, url: src, lineNumber } = node.callFrame;
  const where = src ? `${src.replace(/^.*\/(node_modules|apps|packages)\//, '$1/')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'} ${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byArea.set(area(src), (byArea.get(area(src)) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`.padStart(6);
console.log(`beacon under load: ${result.requests.average.toFixed(0)} req/s, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
console.log(`\nself time by area (${(total / 1e6).toFixed(1)} s sampled):`);
for (const [name, us] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(us)}  ${name}`);
console.log('\ntop functions by self time:');
for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(us)}  ${name}`);
console.log(`\nprofile: ${path.join(profileDir, file)}`);
