import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry } from 'prom-client';
import { startMetricsServer } from './metrics-server.js';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import type { BeaconConfig } from './config.js';
import { createBeacon, type Beacon } from './server.js';
import { createCheckers } from './checkers.js';

/**
 * A port that cannot be listened on, with the variable that moves it: what `npm start` and the
 * standalone beacon print. The original error (EADDRINUSE, EACCES) is its cause.
 */
export class ListenError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(
      cause.code === 'EADDRINUSE'
        ? `port ${port} is already in use: stop what uses it, or set ${variable} to another port`
        : `cannot listen on port ${port} (${cause.code ?? cause.message}): set ${variable} to another port`,
      { cause },
    );
    this.name = 'ListenError';
  }
}

async function listenOrExplain<T>(listen: () => Promise<T>, port: number, variable: string): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new ListenError(port, variable, error as NodeJS.ErrnoException);
    throw error;
  }
}

export interface RunningBeacon {
  url: string;
  /** Where /metrics is served (its own listener), unless off or in a cluster worker. */
  metricsUrl?: string;
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
  const url = await listenOrExplain(() => beacon.listen(config.port, config.host), config.port, 'BEACON_PORT').catch(async (error: unknown) => {
    await beacon.close();
    await db.close();
    await database.release();
    throw error;
  });
  // A cluster worker's counters are served by the primary, summed over all workers.
  if (cluster.isWorker) AggregatorRegistry.setRegistries([beacon.metrics.registry]);
  const metricsServer =
    config.metrics && !cluster.isWorker
      ? await listenOrExplain(
          () =>
            startMetricsServer(
              async () => ({ text: await beacon.metrics.registry.metrics(), contentType: beacon.metrics.registry.contentType }),
              { host: config.metricsHost, port: config.metricsPort, token: config.metricsToken },
            ),
          config.metricsPort,
          'BEACON_METRICS_PORT',
        ).catch(async (error: unknown) => {
          await beacon.close();
          await db.close();
          await database.release();
          throw error;
        })
      : undefined;
  if (metricsServer) log.info({ url: metricsServer.url }, 'metrics listening');
  return {
    url,
    metricsUrl: metricsServer?.url,
    beacon,
    async stop() {
      await metricsServer?.close();
      await beacon.close();
      await db.close();
      await database.release();
    },
  };
}
