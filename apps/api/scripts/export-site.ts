/**
 * npm run export:site -- --site <site id> --out <file.ndjson>
 * Streams one site's settings, keys, rules overrides, events and rollups to NDJSON
 * (apps/api/src/services/site-transfer.ts). Uses MONGODB_URI, else the embedded server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { invokedFrom } from './invoked-from.js';
import { connectDatabase, resolveDatabase } from '@tagward/db';
import { readDatabaseConfig } from '../src/config.js';
import { exportSite } from '../src/services/site-transfer.js';

const { values } = parseArgs({ options: { site: { type: 'string' }, out: { type: 'string' } } });
if (!values.site || !values.out) {
  console.error('usage: npm run export:site -- --site <site id> --out <file.ndjson>');
  process.exit(2);
}
const out = path.resolve(invokedFrom(), values.out);
const config = readDatabaseConfig(process.env);
const database = await resolveDatabase(config.mongodbUri, { preference: config.embeddedDb, log: () => undefined });
const db = await connectDatabase(database.uri, config.dbName);
try {
  const stream = fs.createWriteStream(out);
  const counts = await exportSite(db, values.site, stream);
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
  console.log(`exported site ${values.site} to ${out}: ${JSON.stringify(counts)}`);
} catch (error) {
  fs.rmSync(out, { force: true });
  console.error(`export failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
  await database.release();
}
