/**
 * Test helpers: every test file gets its own database on the real embedded server (or on
 * MONGODB_URI), dropped when the file is done.
 */
import { randomBytes } from 'node:crypto';
import { connectDatabase, ensureIndexes, type Database } from './connection.js';
import { resolveDatabase } from './embedded.js';

export interface TestDatabase extends Database {
  uri: string;
  dbName: string;
  /** Drops the database and closes the connection. */
  dispose(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const handle = await resolveDatabase(process.env.MONGODB_URI);
  const dbName = `tw_test_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const db = await connectDatabase(handle.uri, dbName);
  await ensureIndexes(db);
  return {
    ...db,
    uri: handle.uri,
    dbName,
    async dispose() {
      await db.conn.dropDatabase().catch(() => undefined);
      await db.close();
      await handle.release();
    },
  };
}

/**
 * A vitest `globalSetup` body: takes one lease on the embedded server for the whole run and hands
 * its URI to the workers through MONGODB_URI.
 */
export async function setupTestServer(): Promise<() => Promise<void>> {
  const handle = await resolveDatabase(process.env.MONGODB_URI);
  process.env.MONGODB_URI = handle.uri;
  return () => handle.release();
}
