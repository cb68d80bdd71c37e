import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { DEMO_ACCOUNTS, databaseConfigFields, readDatabaseEnv, refuseInProduction } from '@tagward/config';
import { generateIssuerKeyPem } from '@tagward/attest';
import { findRepoRoot } from '@tagward/db';

const REPO_ROOT = findRepoRoot();

/** Configuration of `npm start` (the whole system on one machine). The only env reader of this app. */
export const demoConfigSchema = z.object({
  host: z.string().default('127.0.0.1'),
  publicHost: z.string().default('localhost'),
  /** Host name of the demo client site in its URLs (default: publicHost); another name than the beacon's makes it cross-site. */
  siteHost: z.string().optional(),
  apiPort: z.coerce.number().int().min(0).max(65535).default(4000),
  beaconPort: z.coerce.number().int().min(0).max(65535).default(4100),
  sitePort: z.coerce.number().int().min(0).max(65535).default(4200),
  /** The beacon's /metrics listener (loopback); 0 picks a free port. */
  beaconMetricsPort: z.coerce.number().int().min(0).max(65535).default(4101),
  ...databaseConfigFields,
  /** A real mail server; unset: `npm start` runs the mail catcher and the API sends to it. */
  smtpUrl: z.string().optional(),
  mailFrom: z.string().optional(),
  /** The mail catcher's web inbox and SMTP ports (loopback); 0 picks free ones. */
  mailCatcherPort: z.coerce.number().int().min(0).max(65535).default(4300),
  mailCatcherSmtpPort: z.coerce.number().int().min(0).max(65535).default(4325),
  masterKey: z.string(),
  /** Privacy Pass issuer key (PKCS#8 PEM file) and attester secret of the attestation experiment. */
  attestIssuerKeyFile: z.string(),
  attestSecret: z.string().min(32),
  traffic: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on'),
  demoEmail: z.string().default(DEMO_ACCOUNTS[0].email),
  demoPassword: z.string().default(DEMO_ACCOUNTS[0].password),
  adminEmail: z.string().default(DEMO_ACCOUNTS[1].email),
  adminPassword: z.string().default(DEMO_ACCOUNTS[1].password),
  dataDir: z.string().default(path.join(REPO_ROOT, '.data', 'demo')),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type DemoConfig = z.infer<typeof demoConfigSchema>;

/**
 * In development the master key (which opens the stored page-token signing keys) and the
 * attestation keys are generated once and kept in the git-ignored `.data/` folder.
 */
function developmentSecret(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const value = make();
  fs.writeFileSync(file, value, { mode: 0o600 });
  return value;
}

/** Development keys live in the git-ignored data folder; production passes them in. */
export function developmentAttestKeyFile(dataDir: string): string {
  developmentSecret(dataDir, 'attest-issuer.pem', generateIssuerKeyPem);
  return path.join(dataDir, 'attest-issuer.pem');
}

/**
 * `npm start` is the development system: in production it refuses to run at all, naming what
 * it would have brought along.
 */
export function demoProductionProblems(env: NodeJS.ProcessEnv): string[] {
  return [
    'npm start seeds demo accounts with well-known passwords (demo@tagward.test, admin@tagward.test)',
    'npm start runs demo traffic into a demo site',
    'npm start generates its master key and attestation keys into .data/demo when none are given',
    ...(env.MONGODB_URI ? [] : ['npm start runs the embedded development database when MONGODB_URI is not set']),
    'npm start serves plain http on localhost, with cookies that are not Secure',
    'run the production bundles instead: `npm run build`, then `node apps/beacon/dist/main.js` and `node apps/api/dist/main.js` (docs/deploy.md)',
  ];
}

export function loadDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  refuseInProduction('npm start', env, demoProductionProblems(env));
  const dataDir = env.TAGWARD_DEMO_DATA_DIR ?? path.join(REPO_ROOT, '.data', 'demo');
  return demoConfigSchema.parse({
    host: env.TAGWARD_HOST,
    publicHost: env.TAGWARD_PUBLIC_HOST,
    siteHost: env.TAGWARD_DEMO_SITE_HOST || undefined,
    apiPort: env.API_PORT,
    beaconPort: env.BEACON_PORT,
    sitePort: env.DEMO_SITE_PORT,
    beaconMetricsPort: env.BEACON_METRICS_PORT,
    ...readDatabaseEnv(env),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || undefined,
    mailCatcherPort: env.MAIL_CATCHER_PORT,
    mailCatcherSmtpPort: env.MAIL_CATCHER_SMTP_PORT,
    masterKey: env.TAGWARD_MASTER_KEY ?? developmentSecret(dataDir, 'master-key', () => randomBytes(32).toString('base64')),
    attestIssuerKeyFile: env.TAGWARD_ATTEST_ISSUER_KEY_FILE ?? developmentAttestKeyFile(dataDir),
    attestSecret: env.TAGWARD_ATTEST_SECRET ?? developmentSecret(dataDir, 'attest-secret', () => randomBytes(32).toString('base64')),
    traffic: env.TAGWARD_DEMO_TRAFFIC,
    dataDir,
    logLevel: env.LOG_LEVEL,
  });
}
