import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { testDatabaseUri } from '@tagward/db/testing';
import { demoConfigSchema, developmentAttestKeyFile, startStack, type Stack } from '@tagward/demo';

/** The whole system on free ports with a database of its own, for one test file. */
export async function startTestStack(label: string, overrides: { traffic?: boolean } = {}): Promise<Stack & { dbName: string }> {
  const dbName = `tw_e2e_${label}_${randomBytes(3).toString('hex')}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-e2e-'));
  const stack = await startStack(
    demoConfigSchema.parse({
      apiPort: 0,
      beaconPort: 0,
      beaconMetricsPort: 0,
      sitePort: 0,
      // A mail catcher of its own on free ports: the tests read this stack's mail from it.
      mailCatcherPort: 0,
      mailCatcherSmtpPort: 0,
      mongodbUri: testDatabaseUri(),
      dbName,
      masterKey: randomBytes(32).toString('base64'),
      attestIssuerKeyFile: developmentAttestKeyFile(dataDir),
      attestSecret: randomBytes(32).toString('base64'),
      traffic: overrides.traffic ? 'on' : 'off',
      dataDir,
    }),
    pino({ level: 'warn' }),
  );
  return Object.assign(stack, { dbName });
}
