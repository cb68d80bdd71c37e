import mongoose from 'mongoose';
import { ensureLocks } from './locks.js';
import { registerModels, type Models } from './models/index.js';

export interface Database {
  conn: mongoose.Connection;
  models: Models;
  /**
   * Runs `fn` in a multi-document transaction (retried by the driver on transient errors), for
   * invariants that span documents. Every operation inside must pass the session it is given.
   */
  transaction<T>(fn: (session: mongoose.ClientSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens a dedicated mongoose connection (not the global default) to one database, so tests can
 * give every file its own database and apps can hold several. The server must be a replica set
 * (MongoDB in production, the embedded server in development): transactions need one.
 */
export async function connectDatabase(
  uri: string,
  dbName: string,
  options: { serverSelectionTimeoutMS?: number; maxPoolSize?: number; bufferCommands?: boolean; monitorCommands?: boolean } = {},
): Promise<Database> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    maxPoolSize: options.maxPoolSize ?? 20,
    autoIndex: false,
    // Servers that must answer "database unavailable" at once (the beacon) turn buffering off, so
    // an operation fails instead of waiting in mongoose's queue while the server is away.
    bufferCommands: options.bufferCommands ?? true,
    // Tests record the queries code sends (query-plans.ts) to check each uses an index.
    monitorCommands: options.monitorCommands ?? false,
  });
  await conn.asPromise();
  const models = registerModels(conn);
  return {
    conn,
    models,
    async transaction(fn) {
      const session = await conn.startSession();
      try {
        let result: Awaited<ReturnType<typeof fn>> | undefined;
        await session.withTransaction(async () => {
          result = await fn(session);
        });
        return result as Awaited<ReturnType<typeof fn>>;
      } finally {
        await session.endSession();
      }
    },
    close: () => conn.close(),
  };
}

/** Creates every index the models declare, and the lock documents. Idempotent; run at start-up. */
export async function ensureIndexes(db: Database): Promise<void> {
  for (const model of Object.values(db.models)) {
    await model.createIndexes();
  }
  await ensureLocks(db);
}
