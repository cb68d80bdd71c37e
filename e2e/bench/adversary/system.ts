// The whole system as `npm start` starts it: apps/demo's main in a process of its own (embedded
// database, beacon, API with the dashboard, the demo client site and its single-page app), on
// free ports, with a database and a data folder of its own, and a public host name that is not
// localhost, which the bench's visitors reach through their relays (see relay.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { connectDatabase, findRepoRoot, resolveDatabase, type Database } from '@tagward/db';

/**
 * The client site's host name. The beacon stays on localhost, as `npm start` serves it: a
 * potentially trustworthy origin, so Chromium sends it Sec-Fetch-* and client hints as it does
 * to the HTTPS beacon of production; the site is then another site, as a client's is.
 */
export const SITE_HOST = 'shop.tagward-bench.example';

export interface RunningSystem {
  urls: { site: string; beacon: string; dashboard: string };
  /** Ports behind the public URLs, all on 127.0.0.1. */
  ports: { site: number; beacon: number };
  keys: { shop: { publicKey: string; secretKey: string }; app: { publicKey: string; secretKey: string } };
  /** The system's database, read to learn each beacon's verdict. */
  db: Database;
  stop(): Promise<void>;
}

const BANNER = {
  dashboard: /Dashboard\s+(\S+)/,
  site: /Demo client site\s+(\S+)/,
  beacon: /Beacon\s+(http\S+)/,
};

function waitForBanner(child: ChildProcess, timeoutMs: number): Promise<Record<keyof typeof BANNER, string>> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not start in ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes('Ctrl-C stops everything')) return;
      clearTimeout(timer);
      const urls = {} as Record<keyof typeof BANNER, string>;
      for (const [name, re] of Object.entries(BANNER)) urls[name as keyof typeof BANNER] = re.exec(out)![1]!;
      resolve(urls);
    });
    child.once('exit', (code) => reject(new Error(`the demo exited with ${code}:\n${out}`)));
  });
}

/** Reads the seeded sites' keys from the database and the demo's data folder. */
async function readKeys(db: Database, dataDir: string): Promise<RunningSystem['keys']> {
  const keysOf = async (name: string) => {
    const site = await db.models.Site.findOne({ name }).lean();
    if (!site) throw new Error(`site ${name} was not seeded`);
    const secretKey = fs.readFileSync(path.join(dataDir, `secret-key-${String(site._id)}`), 'utf8').trim();
    return { publicKey: site.publicKey, secretKey };
  };
  return { shop: await keysOf('Demo shop'), app: await keysOf('Demo app') };
}

export async function startSystem(log: (line: string) => void): Promise<RunningSystem> {
  const root = findRepoRoot();
  const dbName = `tw_bench_adversary_${randomBytes(3).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-adversary-'));
  // The bench holds a lease on the same embedded server as the demo (one per checkout).
  const database = await resolveDatabase(process.env.MONGODB_URI, { log });
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['apps/demo/src/main.ts'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      MONGODB_URI: process.env.MONGODB_URI ?? '',
      API_PORT: '0',
      BEACON_PORT: '0',
      BEACON_METRICS_PORT: '0',
      DEMO_SITE_PORT: '0',
      TAGWARD_DEMO_SITE_HOST: SITE_HOST,
      TAGWARD_DEMO_TRAFFIC: 'off',
      TAGWARD_DB_NAME: dbName,
      TAGWARD_DEMO_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
  });
  const urls = await waitForBanner(child, 180_000);
  const db = await connectDatabase(database.uri, dbName);
  const keys = await readKeys(db, dataDir);
  const port = (u: string) => Number(new URL(u).port);
  log(`system up: site ${urls.site}, beacon ${urls.beacon} (database ${dbName})`);
  return {
    urls,
    ports: { site: port(urls.site), beacon: port(urls.beacon) },
    keys,
    db,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      await db.conn.dropDatabase().catch(() => undefined);
      await db.close();
      await database.release();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
