import { pino } from 'pino';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { loadApiConfig } from './config.js';
import { startApiServer } from './app.js';
import { refuseDemoAccounts } from './production.js';
import { isProduction } from '@tagward/config';
import fs from 'node:fs';

let config;
try {
  config = loadApiConfig();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
const log = pino({ level: config.logLevel });
const database = await resolveDatabase(config.mongodbUri, { log: (line) => log.info(line), preference: config.embeddedDb });
const db = await connectDatabase(database.uri, config.dbName);
await ensureIndexes(db);
if (isProduction(process.env)) {
  await refuseDemoAccounts(db).catch(async (error: unknown) => {
    log.fatal((error as Error).message);
    await db.close();
    await database.release();
    process.exit(1);
  });
}

const api = await startApiServer({
  db,
  config,
  log,
  port: config.port,
  host: config.host,
  dashboardDir: fs.existsSync(config.dashboardDir) ? config.dashboardDir : undefined,
}).catch(async (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
  log.fatal(`cannot listen on port ${config.port} (${error.code === 'EADDRINUSE' ? 'already in use' : error.code}): set API_PORT to another port`);
  await db.close();
  await database.release();
  process.exit(1);
});
log.info({ url: api.url }, 'api listening');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  await api.close();
  await db.close();
  await database.release();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
