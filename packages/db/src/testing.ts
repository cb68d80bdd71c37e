/**
 * Test helpers: one embedded server (or MONGODB_URI) per test run, taken by a vitest global
 * setup and handed to the test files with vitest's `provide`/`inject`; every test file gets its
 * own database on it, dropped when the file is done.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connectDatabase, ensureIndexes, type Database } from './connection.js';
import { resolveDatabase, type AcquireOptions } from './embedded/acquire.js';
import type { EnginePreference } from './embedded/engines.js';

export { GROWING_COLLECTIONS, planStages, recordQueries, type QueryShape } from './query-plans.js';

declare module 'vitest' {
  export interface ProvidedContext {
    tagwardMongoUri: string;
  }
}

export interface TestDatabase extends Database {
  uri: string;
  dbName: string;
  /** Drops the database and closes the connection. */
  dispose(): Promise<void>;
}

/** The URI of the run's server, inside a test file. */
export function testDatabaseUri(): string {
  return inject('tagwardMongoUri');
}

export async function createTestDatabase(label: string, options: { uri?: string } = {}): Promise<TestDatabase> {
  const uri = options.uri ?? testDatabaseUri();
  const dbName = `tw_test_${label.replace(/[^a-z0-9]/gi, '_').slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const db = await connectDatabase(uri, dbName, { monitorCommands: true });
  await ensureIndexes(db);
  return {
    ...db,
    uri,
    dbName,
    async dispose() {
      await db.conn.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}

export interface TestServerOptions extends AcquireOptions {
  /** A MongoDB to test against instead of the embedded server. */
  mongodbUri?: string;
}

/** The test run's database settings, from the variables the README documents. */
export function testServerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TestServerOptions {
  const preference = env.TAGWARD_EMBEDDED_DB as EnginePreference | undefined;
  return { mongodbUri: env.MONGODB_URI || undefined, ...(preference ? { preference } : {}) };
}

/**
 * A vitest `globalSetup` body: takes one lease on the server for the whole run and provides its
 * URI to the test files.
 *
 * @example
 * // test/global-setup.ts
 * export { setupTestServer as default } from '@tagward/db/testing';
 */
export async function setupTestServer(
  project: { provide(key: 'tagwardMongoUri', value: string): void },
  options: TestServerOptions = testServerOptionsFromEnv(),
): Promise<() => Promise<void>> {
  const handle = await resolveDatabase(options.mongodbUri, options);
  project.provide('tagwardMongoUri', handle.uri);
  return () => handle.release();
}
