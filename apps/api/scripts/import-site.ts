/**
 * npm run import:site -- --in <file.ndjson>
 * Imports a site written by export:site into this database (MONGODB_URI, else the embedded
 * server). Refuses a site that exists here already; leaves nothing behind if it fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { invokedFrom } from './invoked-from.js';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { readDatabaseConfig } from '../src/config.js';
import { importSite } from '../src/services/site-transfer.js';

const { values } = parseArgs({ options: { in: { type: 'string' } } });
if (!values.in) {
  console.error('usage: npm run import:site -- --in <file.ndjson>');
  process.exit(2);
}
const file = path.resolve(invokedFrom(), values.in);
const config = readDatabaseConfig(process.env);
const database = await resolveDatabase(config.mongodbUri, { preference: config.embeddedDb, log: () => undefined });
const db = await connectDatabase(database.uri, config.dbName);
try {
  await ensureIndexes(db);
  const result = await importSite(db, fs.createReadStream(file));
  console.log(`imported site ${result.siteId}: ${JSON.stringify(result.counts)}`);
  if (result.unknownMembers.length) console.log(`members without an account here (left out): ${result.unknownMembers.join(', ')}`);
} catch (error) {
  console.error(`import failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
  await database.release();
}
