import cluster from 'node:cluster';
import { pino } from 'pino';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { loadBeaconConfig } from './config.js';
import { AggregatorRegistry } from 'prom-client';
import { startMetricsServer } from './metrics-server.js';
import { ListenError, startBeacon } from './start.js';

let config: ReturnType<typeof loadBeaconConfig>;
try {
  config = loadBeaconConfig();
} catch (error) {
  // One message naming every problem (production refuses development defaults).
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const log = pino({ level: config.logLevel, base: { app: 'beacon', pid: process.pid } });

/**
 * With BEACON_WORKERS > 1 the primary only holds the database lease (so the embedded server
 * starts once for all workers) and supervises; every worker is a whole beacon of its own.
 */
async function primary(): Promise<void> {
  const database = await resolveDatabase(config.mongodbUri, { log: (line) => log.info(line), preference: config.embeddedDb });
  const db = await connectDatabase(database.uri, config.dbName);
  await ensureIndexes(db);
  await db.close();
  const env = { MONGODB_URI: database.uri };
  for (let i = 0; i < config.workers; i++) cluster.fork(env);
  const aggregator = new AggregatorRegistry();
  const metrics = config.metrics
    ? await startMetricsServer(async () => ({ text: await aggregator.clusterMetrics(), contentType: aggregator.contentType }), {
        host: config.metricsHost,
        port: config.metricsPort,
        token: config.metricsToken,
      })
    : undefined;
  if (metrics) log.info({ url: metrics.url }, 'metrics listening (all workers)');
  let alive = config.workers;
  cluster.on('exit', (worker, code) => {
    alive--;
    log.info({ worker: worker.process.pid, code }, 'worker exited');
    if (alive === 0) void Promise.resolve(metrics?.close()).then(() => database.release()).then(() => process.exit(0));
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

async function single(): Promise<void> {
  const running = await startBeacon({ config, log }).catch((error: unknown) => {
    if (!(error instanceof ListenError)) throw error;
    log.fatal(error.message);
    process.exit(1);
  });
  log.info({ url: running.url }, 'beacon listening');
  const stop = async () => {
    log.info('stopping: refusing new beacons, flushing');
    await running.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (config.workers > 1 && cluster.isPrimary) await primary();
else await single();
