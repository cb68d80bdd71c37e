// What the beacon's benchmarks share: a throw-away database with one site, a beacon process on
// it (test/beacon-process.ts) and autocannon as a promise.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { connectDatabase, ensureIndexes, resolveDatabase, type Database } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { seedSite, type TestSite } from '../test/helpers.js';

export interface BenchDatabase {
  uri: string;
  dbName: string;
  db: Database;
  masterKey: string;
  site: TestSite;
  /** Drops the database and lets go of the server. */
  close(): Promise<void>;
}

/** The embedded database (or MONGODB_URI), a fresh database named `<prefix>_<random>` and a site. */
export async function openBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const database = await resolveDatabase(process.env.MONGODB_URI, { log: () => undefined });
  const dbName = `${prefix}_${randomBytes(3).toString('hex')}`;
  const db = await connectDatabase(database.uri, dbName);
  await ensureIndexes(db);
  const masterKey = generateMasterKey();
  const site = await seedSite(db, masterKey);
  return {
    uri: database.uri,
    dbName,
    db,
    masterKey,
    site,
    async close() {
      await db.conn.dropDatabase();
      await db.close();
      await database.release();
    },
  };
}

/**
 * One load generator is one address and one visitor: every per-source limit out of the way
 * (bench:flood measures the limits themselves).
 */
export const NO_SOURCE_LIMITS = {
  BEACON_KEY_LIMIT: '100000000',
  BEACON_VISITOR_LIMIT: '100000000',
  BEACON_ADDRESS_LIMIT: '100000000',
  BEACON_NETWORK_LIMIT: '100000000',
};

export function runLoad(options: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
  });
}
