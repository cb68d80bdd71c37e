import type { Logger } from 'pino';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import type { BeaconConfig } from './config.js';
import { createBeacon, type Beacon } from './server.js';
import { createCheckers } from './checkers.js';

export interface RunningBeacon {
  url: string;
  beacon: Beacon;
  stop(): Promise<void>;
}

/**
 * Connects, builds and listens: what `main.ts` runs, and what the demo and the tests start
 * in-process. Connections fail fast (no command buffering) so a database outage becomes a 503.
 */
export async function startBeacon(options: {
  config: BeaconConfig;
  log: Logger;
  embedDir?: string;
  now?: () => number;
}): Promise<RunningBeacon> {
  const { config, log } = options;
  const database = await resolveDatabase(config.mongodbUri, { log: (line) => log.info(line), preference: config.embeddedDb });
  const db = await connectDatabase(database.uri, config.dbName, {
    bufferCommands: false,
    serverSelectionTimeoutMS: 2000,
    maxPoolSize: 50,
  });
  await ensureIndexes(db);
  const checkers = createCheckers({ db, config, log });
  const beacon = await createBeacon({
    db,
    config,
    log,
    tokens: checkers.tokens,
    attestation: checkers.attestation,
    routes: checkers.routes,
    embedDir: options.embedDir,
    now: options.now,
  });
  const url = await beacon.listen(config.port, config.host);
  return {
    url,
    beacon,
    async stop() {
      await beacon.close();
      await db.close();
      await database.release();
    },
  };
}
