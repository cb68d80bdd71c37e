/**
 * npm run profile:beacon -w @tagward/beacon — a CPU profile of the beacon under load: the beacon
 * runs in a child process with `--cpu-prof`, autocannon drives it with realistic beacons for a
 * few seconds, and the profile is summarised as the functions with the most self time (and the
 * share of each package). The raw `.cpuprofile` is kept (open it in Chrome DevTools for a flame
 * chart); its path is printed.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { beaconPayload, chromiumBeaconHeaders, mintAgedToken, seedSite } from '../test/helpers.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
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

const database = await resolveDatabase(process.env.MONGODB_URI, { log: () => undefined });
const dbName = `tw_profile_${randomBytes(3).toString('hex')}`;
const db = await connectDatabase(database.uri, dbName);
await ensureIndexes(db);
const masterKey = generateMasterKey();
const site = await seedSite(db, masterKey);
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-profile-'));
const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, '--import', 'tsx', path.join(HERE, '../src/main.ts')], {
  env: {
    ...process.env,
    MONGODB_URI: database.uri,
    TAGWARD_DB_NAME: dbName,
    TAGWARD_MASTER_KEY: masterKey,
    BEACON_PORT: '0',
    BEACON_METRICS_PORT: '0',
    BEACON_KEY_LIMIT: '100000000',
    BEACON_VISITOR_LIMIT: '100000000',
    BEACON_ADDRESS_LIMIT: '100000000',
    BEACON_NETWORK_LIMIT: '100000000',
    LOG_LEVEL: 'info',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => {
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const line = buffer.split('\n').find((l) => l.includes('beacon listening'));
    if (line) resolve(JSON.parse(line).url as string);
  });
});
// Half the beacons carry a page token, as on a site that mints them.
const tokens = await Promise.all(Array.from({ length: 2000 }, () => mintAgedToken(site, '/products/widget', 0)));
let next = 0;
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  autocannon(
    {
      url,
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
    },
    (error, r) => (error ? reject(error) : resolve(r)),
  );
});
await new Promise<void>((resolve) => {
  child.once('exit', () => resolve());
  child.kill('SIGTERM');
});
await db.conn.dropDatabase();
await db.close();
await database.release();

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
