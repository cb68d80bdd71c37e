/**
 * Every variable of the README's configuration table takes effect: set to a distinctive value,
 * it changes the configuration it names — as `npm start` builds it, and as each app alone reads
 * it — and turbo passes it through to the tasks (turbo runs tasks in strict environment mode:
 * a variable it does not pass is silently absent, which is how `npm start` once ignored
 * API_PORT, BEACON_PORT and DEMO_SITE_PORT).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { findRepoRoot } from '@tagward/db';
import { testServerOptionsFromEnv } from '@tagward/db/testing';
import { loadApiConfig, readApiConfig, type ApiConfig } from '@tagward/api';
import { loadBeaconConfig, type BeaconConfig } from '@tagward/beacon';
import { chromiumPath } from '@tagward/chromium';
import { apiConfigFor, beaconConfigFor } from '../src/app-configs.js';
import { loadDemoConfig, type DemoConfig } from '../src/config.js';

const ROOT = findRepoRoot();
const KEY = Buffer.alloc(32, 7).toString('base64');

interface Effective {
  demo: DemoConfig;
  /** The beacon and the API as `npm start` configures them. */
  start: { beacon: BeaconConfig; api: ApiConfig };
  /** Each app run alone (`npm run start -w …`, `node dist/main.js`). */
  alone: { beacon: BeaconConfig; api: ApiConfig };
}

function effective(vars: Record<string, string>): Effective {
  const dataDir = fs.mkdtempSync(path.join(ROOT, '.data', 'env-test-'));
  const env = { TAGWARD_DEMO_DATA_DIR: dataDir, ...vars };
  const demo = loadDemoConfig(env);
  const result = {
    demo,
    start: { beacon: beaconConfigFor(demo, env, 'mongodb://127.0.0.1:1/'), api: apiConfigFor(demo, env, { beaconUrl: 'http://localhost:4100', apiPort: demo.apiPort, smtpUrl: demo.smtpUrl }) },
    alone: { beacon: loadBeaconConfig({ TAGWARD_MASTER_KEY: KEY, ...env }), api: loadApiConfig({ TAGWARD_MASTER_KEY: KEY, ...env }) },
  };
  fs.rmSync(dataDir, { recursive: true, force: true });
  return result;
}

type Probe = (e: Effective) => unknown;

/**
 * Per variable: a value, and where it must show, each probe expected to give `expected`.
 * `alone` rows are read by an app's config without the production refusals (NODE_ENV, whose
 * production value the loaders refuse to combine with development settings by design).
 */
const TABLE: Record<string, { value: string; expected?: unknown; probes: Probe[]; alone?: (value: string) => unknown }> = {
  MONGODB_URI: { value: 'mongodb://db.example:27017/?replicaSet=rs0', probes: [(e) => e.demo.mongodbUri, (e) => e.alone.beacon.mongodbUri, (e) => e.alone.api.mongodbUri] },
  TAGWARD_EMBEDDED_DB: { value: 'py', probes: [(e) => e.demo.embeddedDb, (e) => e.alone.beacon.embeddedDb, (e) => e.alone.api.embeddedDb, () => testServerOptionsFromEnv({ TAGWARD_EMBEDDED_DB: 'py' }).preference] },
  TAGWARD_DB_NAME: { value: 'tw_env', probes: [(e) => e.demo.dbName, (e) => e.start.beacon.dbName, (e) => e.start.api.dbName, (e) => e.alone.beacon.dbName, (e) => e.alone.api.dbName] },
  TAGWARD_MASTER_KEY: { value: Buffer.alloc(32, 9).toString('base64'), probes: [(e) => e.demo.masterKey, (e) => e.start.beacon.masterKey, (e) => Buffer.from(e.start.api.masterKey).toString('base64')] },
  TAGWARD_HOST: { value: '127.0.0.2', probes: [(e) => e.demo.host, (e) => e.start.beacon.host, (e) => e.start.api.host] },
  TAGWARD_PUBLIC_HOST: { value: 'tagward.test', probes: [(e) => e.demo.publicHost] },
  TAGWARD_DEMO_SITE_HOST: { value: 'shop.tagward.test', probes: [(e) => e.demo.siteHost] },
  API_PORT: { value: '4301', expected: 4301, probes: [(e) => e.demo.apiPort, (e) => e.start.api.port, (e) => e.alone.api.port] },
  BEACON_PORT: { value: '4302', expected: 4302, probes: [(e) => e.demo.beaconPort, (e) => e.start.beacon.port, (e) => e.alone.beacon.port] },
  DEMO_SITE_PORT: { value: '4303', expected: 4303, probes: [(e) => e.demo.sitePort] },
  TAGWARD_DEMO_TRAFFIC: { value: 'off', expected: false, probes: [(e) => e.demo.traffic] },
  TAGWARD_DEMO_DATA_DIR: { value: '/tmp/tagward-env-data', probes: [(e) => e.demo.dataDir] },
  TAGWARD_PUBLIC_BEACON_URL: { value: 'https://beacon.example.test', probes: [(e) => e.start.api.publicBeaconUrl, (e) => e.alone.api.publicBeaconUrl] },
  API_HOST: { value: '127.0.0.3', probes: [(e) => e.alone.api.host] },
  COOKIE_SECURE: { value: 'always', probes: [(e) => e.start.api.cookieSecure, (e) => e.alone.api.cookieSecure] },
  TAGWARD_TRUSTED_ORIGINS: { value: 'https://a.example,https://b.example', expected: ['https://a.example', 'https://b.example'], probes: [(e) => e.start.api.trustedOrigins, (e) => e.alone.api.trustedOrigins] },
  API_TRUST_PROXY: { value: 'true', expected: true, probes: [(e) => e.start.api.trustProxy, (e) => e.alone.api.trustProxy] },
  TAGWARD_SIGNUP_OPEN: { value: 'false', expected: false, probes: [(e) => e.start.api.signupOpen, (e) => e.alone.api.signupOpen] },
  TAGWARD_EMBED_DIR: { value: '/srv/embed', probes: [(e) => e.start.api.embedDir, (e) => e.alone.api.embedDir] },
  TAGWARD_DASHBOARD_DIR: { value: '/srv/dashboard', probes: [(e) => e.start.api.dashboardDir, (e) => e.alone.api.dashboardDir] },
  TAGWARD_ATTEST_ISSUER_KEY_FILE: { value: '/srv/issuer.pem', probes: [(e) => e.demo.attestIssuerKeyFile, (e) => e.start.beacon.attestIssuerKeyFile, (e) => e.alone.beacon.attestIssuerKeyFile] },
  TAGWARD_ATTEST_SECRET: { value: 's'.repeat(40), probes: [(e) => e.demo.attestSecret, (e) => e.start.beacon.attestSecret, (e) => e.alone.beacon.attestSecret] },
  TAGWARD_ATTEST_ISSUER_NAME: { value: 'beacon.example.test', probes: [(e) => e.start.beacon.attestIssuerName, (e) => e.alone.beacon.attestIssuerName] },
  TAGWARD_ATTEST_DIFFICULTY_BITS: { value: '9', expected: 9, probes: [(e) => e.start.beacon.attestDifficultyBits, (e) => e.alone.beacon.attestDifficultyBits] },
  BEACON_HOST: { value: '127.0.0.4', probes: [(e) => e.alone.beacon.host] },
  BEACON_WORKERS: { value: '3', expected: 3, probes: [(e) => e.alone.beacon.workers] },
  BEACON_TRUST_PROXY: { value: 'true', expected: true, probes: [(e) => e.start.beacon.trustProxy, (e) => e.alone.beacon.trustProxy] },
  BEACON_MAX_BATCH: { value: '77', expected: 77, probes: [(e) => e.start.beacon.maxBatch, (e) => e.alone.beacon.maxBatch] },
  BEACON_FLUSH_DELAY_MS: { value: '7', expected: 7, probes: [(e) => e.start.beacon.flushDelayMs, (e) => e.alone.beacon.flushDelayMs] },
  BEACON_MAX_FLUSHES: { value: '3', expected: 3, probes: [(e) => e.start.beacon.maxFlushes, (e) => e.alone.beacon.maxFlushes] },
  BEACON_MAX_PENDING: { value: '777', expected: 777, probes: [(e) => e.start.beacon.maxPending, (e) => e.alone.beacon.maxPending] },
  BEACON_KEY_LIMIT: { value: '7777', expected: 7777, probes: [(e) => e.start.beacon.keyLimitPerWindow, (e) => e.alone.beacon.keyLimitPerWindow] },
  BEACON_VISITOR_LIMIT: { value: '17', expected: 17, probes: [(e) => e.start.beacon.visitorLimitPerWindow, (e) => e.alone.beacon.visitorLimitPerWindow] },
  BEACON_ADDRESS_LIMIT: { value: '27', expected: 27, probes: [(e) => e.start.beacon.addressLimitPerWindow, (e) => e.alone.beacon.addressLimitPerWindow] },
  BEACON_NETWORK_LIMIT: { value: '37', expected: 37, probes: [(e) => e.start.beacon.networkLimitPerWindow, (e) => e.alone.beacon.networkLimitPerWindow] },
  BEACON_MAX_CONNECTIONS: { value: '4444', expected: 4444, probes: [(e) => e.start.beacon.maxConnections, (e) => e.alone.beacon.maxConnections] },
  BEACON_MAX_CONNECTIONS_PER_ADDRESS: { value: '44', expected: 44, probes: [(e) => e.start.beacon.maxConnectionsPerAddress, (e) => e.alone.beacon.maxConnectionsPerAddress] },
  BEACON_IDLE_TIMEOUT_MS: { value: '4400', expected: 4400, probes: [(e) => e.start.beacon.idleTimeoutMs, (e) => e.alone.beacon.idleTimeoutMs] },
  BEACON_METRICS: { value: 'off', expected: false, probes: [(e) => e.start.beacon.metrics, (e) => e.alone.beacon.metrics] },
  BEACON_METRICS_HOST: { value: '127.0.0.5', probes: [(e) => e.start.beacon.metricsHost, (e) => e.alone.beacon.metricsHost] },
  BEACON_METRICS_PORT: { value: '4304', expected: 4304, probes: [(e) => e.start.beacon.metricsPort, (e) => e.alone.beacon.metricsPort] },
  BEACON_METRICS_TOKEN: { value: 'metrics-token-of-the-test', probes: [(e) => e.start.beacon.metricsToken, (e) => e.alone.beacon.metricsToken] },
  BEACON_RATE_WINDOW_MS: { value: '120000', expected: 120000, probes: [(e) => e.start.beacon.rateWindowMs, (e) => e.alone.beacon.rateWindowMs] },
  BEACON_RULES_REFRESH_MS: { value: '3000', expected: 3000, probes: [(e) => e.start.beacon.rulesRefreshMs, (e) => e.alone.beacon.rulesRefreshMs] },
  BEACON_SITE_CACHE_MS: { value: '3000', expected: 3000, probes: [(e) => e.start.beacon.siteCacheMs, (e) => e.alone.beacon.siteCacheMs] },
  BEACON_BODY_TIMEOUT_MS: { value: '3000', expected: 3000, probes: [(e) => e.start.beacon.bodyTimeoutMs, (e) => e.alone.beacon.bodyTimeoutMs] },
  CHROMIUM_PATH: { value: '/opt/chromium/chrome', probes: [() => chromiumPath({ CHROMIUM_PATH: '/opt/chromium/chrome' })] },
  NODE_ENV: { value: 'production', expected: true, probes: [], alone: (value) => readApiConfig({ TAGWARD_MASTER_KEY: KEY, NODE_ENV: value }).production },
  TAGWARD_DASHBOARD_URL: { value: 'https://dash.example.test', probes: [(e) => e.start.api.publicUrl, (e) => e.alone.api.publicUrl] },
  SMTP_URL: { value: 'smtp://mailer:secret@smtp.example.test:587', probes: [(e) => e.demo.smtpUrl, (e) => e.start.api.smtpUrl, (e) => e.alone.api.smtpUrl] },
  MAIL_FROM: { value: 'Tagward Test <test@tagward.example>', probes: [(e) => e.demo.mailFrom, (e) => e.start.api.mailFrom, (e) => e.alone.api.mailFrom] },
  MAIL_CATCHER_PORT: { value: '4305', expected: 4305, probes: [(e) => e.demo.mailCatcherPort] },
  MAIL_CATCHER_SMTP_PORT: { value: '4306', expected: 4306, probes: [(e) => e.demo.mailCatcherSmtpPort] },
  TAGWARD_SESSION_IDLE_HOURS: { value: '30', expected: 30, probes: [(e) => e.start.api.sessionIdleHours, (e) => e.alone.api.sessionIdleHours] },
  TAGWARD_SESSION_MAX_HOURS: { value: '900', expected: 900, probes: [(e) => e.start.api.sessionMaxHours, (e) => e.alone.api.sessionMaxHours] },
  TAGWARD_SIGNUP_PER_ADDRESS: { value: '7', expected: 7, probes: [(e) => e.start.api.signupPerAddress, (e) => e.alone.api.signupPerAddress] },
  TAGWARD_SIGNUP_PER_NETWORK: { value: '70', expected: 70, probes: [(e) => e.start.api.signupPerNetwork, (e) => e.alone.api.signupPerNetwork] },
  TAGWARD_MAILS_PER_RECIPIENT: { value: '8', expected: 8, probes: [(e) => e.start.api.mailsPerRecipient, (e) => e.alone.api.mailsPerRecipient] },
  API_MAX_BATCH: { value: '12', expected: 12, probes: [(e) => e.start.api.maxBatchSize, (e) => e.alone.api.maxBatchSize] },
  API_MAX_BODY_BYTES: { value: '70000', expected: 70000, probes: [(e) => e.start.api.maxBodyBytes, (e) => e.alone.api.maxBodyBytes] },
  API_KEY_RATE_LIMIT: { value: '66', expected: 66, probes: [(e) => e.start.api.apiRateLimit.perKey, (e) => e.alone.api.apiRateLimit.perKey] },
  API_KEY_RATE_WINDOW_MS: { value: '66000', expected: 66000, probes: [(e) => e.start.api.apiRateLimit.windowMs, (e) => e.alone.api.apiRateLimit.windowMs] },
  API_EXPORTS_PER_HOUR: { value: '6', expected: 6, probes: [(e) => e.start.api.apiRateLimit.exportsPerHour, (e) => e.alone.api.apiRateLimit.exportsPerHour] },
  TAGWARD_WEBHOOK_TARGETS: { value: 'any', probes: [(e) => e.start.api.webhooks.targets, (e) => e.alone.api.webhooks.targets] },
  TAGWARD_WEBHOOK_WORKER: { value: 'off', probes: [(e) => e.start.api.webhooks.worker, (e) => e.alone.api.webhooks.worker] },
  TAGWARD_WEBHOOK_TIMEOUT_MS: { value: '6000', expected: 6000, probes: [(e) => e.start.api.webhooks.timeoutMs, (e) => e.alone.api.webhooks.timeoutMs] },
  LOG_LEVEL: { value: 'debug', probes: [(e) => e.demo.logLevel, (e) => e.start.beacon.logLevel, (e) => e.start.api.logLevel, (e) => e.alone.beacon.logLevel, (e) => e.alone.api.logLevel] },
};

/** The variables the README's configuration table documents, in its order. */
function readmeVariables(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  return [...section.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
}

test('the table here covers exactly the variables the README documents', () => {
  expect(Object.keys(TABLE).sort()).toEqual(readmeVariables().sort());
});

describe.each(Object.entries(TABLE))('%s', (name, { value, expected, probes, alone }) => {
  test('takes effect where the README says it is used', () => {
    expect(probes.length + (alone ? 1 : 0)).toBeGreaterThan(0);
    if (alone) expect(alone(value)).toEqual(expected ?? value);
    if (probes.length === 0) return;
    const e = effective({ [name]: value });
    for (const probe of probes) expect(probe(e)).toEqual(expected ?? value);
  });

  test('is passed through by turbo to the tasks', () => {
    const turbo = JSON.parse(fs.readFileSync(path.join(ROOT, 'turbo.json'), 'utf8')) as { globalEnv?: string[]; globalPassThroughEnv?: string[] };
    const patterns = [...(turbo.globalEnv ?? []), ...(turbo.globalPassThroughEnv ?? [])];
    const passes = patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name));
    expect(passes).toBe(true);
  });
});

test('npm start refuses to run in production, naming what it would bring along', () => {
  expect(() => loadDemoConfig({ NODE_ENV: 'production' })).toThrow(/well-known passwords[\s\S]*demo traffic[\s\S]*embedded development database/);
});
