import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Configuration of `npm start` (the whole system on one machine). The only env reader of this app. */
export const demoConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  publicHost: z.string().default('localhost'),
  apiPort: z.coerce.number().int().min(0).max(65535).default(4000),
  beaconPort: z.coerce.number().int().min(0).max(65535).default(4100),
  sitePort: z.coerce.number().int().min(0).max(65535).default(4200),
  mongodbUri: z.string().optional(),
  dbName: z.string().default('tagward'),
  masterKey: z.string(),
  traffic: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on'),
  demoEmail: z.string().default('demo@tagward.test'),
  demoPassword: z.string().default('tagward-demo-pass'),
  adminEmail: z.string().default('admin@tagward.test'),
  adminPassword: z.string().default('tagward-admin-pass'),
  dataDir: z.string().default(path.join(REPO_ROOT, '.data', 'demo')),
});

export type DemoConfig = z.infer<typeof demoConfigSchema>;

/**
 * In development the master key (which opens the stored page-token signing keys) is generated
 * once and kept in the git-ignored `.data/` folder; production passes TAGWARD_MASTER_KEY.
 */
function developmentMasterKey(dataDir: string): string {
  const file = path.join(dataDir, 'master-key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  fs.writeFileSync(file, key, { mode: 0o600 });
  return key;
}

export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const dataDir = env.TAGWARD_DEMO_DATA_DIR ?? path.join(REPO_ROOT, '.data', 'demo');
  return demoConfigSchema.parse({
    host: env.TAGWARD_HOST,
    publicHost: env.TAGWARD_PUBLIC_HOST,
    apiPort: env.API_PORT,
    beaconPort: env.BEACON_PORT,
    sitePort: env.DEMO_SITE_PORT,
    mongodbUri: env.MONGODB_URI || undefined,
    dbName: env.TAGWARD_DB_NAME,
    masterKey: env.TAGWARD_MASTER_KEY ?? developmentMasterKey(dataDir),
    traffic: env.TAGWARD_DEMO_TRAFFIC,
    dataDir,
  });
}
