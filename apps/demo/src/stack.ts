import path from 'node:path';
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { beaconConfigSchema, startBeacon } from '@tagward/beacon';
import { apiConfigSchema, startApiServer } from '@tagward/api';
import { EMBED_DIST_DIR, readEmbedManifest } from '@tagward/embed';
import type { DemoConfig } from './config.js';
import { seedDemo, type DemoSeed } from './seed.js';
import { startDemoSite } from './site.js';
import { startTraffic } from './traffic.js';

/** The dashboard's build output (SvelteKit's adapter-static writes `build/`), which the API serves. */
const DASHBOARD_BUILD_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@tagward/dashboard/package.json')),
  'build',
);

export interface Stack {
  urls: { dashboard: string; beacon: string; site: string; beaconMetrics: string | undefined };
  login: { email: string; password: string };
  admin: { email: string; password: string };
  publicKey: string;
  /** Publishable key of the demo single-page app (/app/), a site that requires page tokens. */
  appPublicKey: string;
  stop(): Promise<void>;
}

/**
 * The whole system in one process: embedded database, beacon, API serving the dashboard, the
 * demo client site, the demo account and (optionally) demo traffic. `npm start` runs it with
 * fixed ports; the end-to-end tests run it on free ports with a database of their own.
 */
export async function startStack(config: DemoConfig, log: Logger = pino({ level: 'info' })): Promise<Stack> {
  const database = await resolveDatabase(config.mongodbUri, { log: (line) => log.info(line), preference: config.embeddedDb });
  const db = await connectDatabase(database.uri, config.dbName);
  await ensureIndexes(db);

  const beacon = await startBeacon({
    config: beaconConfigSchema.parse({
      port: config.beaconPort,
      host: config.host,
      metricsPort: config.beaconMetricsPort,
      mongodbUri: database.uri,
      dbName: config.dbName,
      masterKey: config.masterKey,
      attestIssuerKeyFile: config.attestIssuerKeyFile,
      attestSecret: config.attestSecret,
      attestIssuerName: `${config.publicHost}:${config.beaconPort}`,
      rulesRefreshMs: 1000,
      logLevel: 'warn',
    }),
    log: log.child({ app: 'beacon' }),
    embedDir: EMBED_DIST_DIR,
  });
  const beaconUrl = beacon.url.replace(config.host, config.publicHost);

  const api = await startApiServer({
    db,
    config: apiConfigSchema.parse({
      port: config.apiPort,
      host: config.host,
      masterKey: config.masterKey,
      publicBeaconUrl: beaconUrl,
    }),
    dashboardDir: DASHBOARD_BUILD_DIR,
    port: config.apiPort,
    host: config.host,
  });
  const dashboardUrl = api.url.replace(config.host, config.publicHost);

  // Filled in once the site is seeded: seeding needs the demo site's origin, known after listen.
  const seeded: { site?: DemoSeed } = {};
  const manifest = readEmbedManifest();
  const site = await startDemoSite({
    host: config.host,
    port: config.sitePort,
    publicHost: config.siteHost ?? config.publicHost,
    beaconUrl,
    embed: { file: manifest.file, sri: manifest.sri, spa: { file: manifest.spa.file, sri: manifest.spa.sri } },
    getSite: () => {
      if (!seeded.site) throw new Error('demo site not seeded yet');
      return seeded.site;
    },
  });
  const siteState = await seedDemo(db, config, { siteOrigin: site.url });
  seeded.site = siteState;

  const traffic = config.traffic
    ? startTraffic({
        beaconUrl: beacon.url,
        siteUrl: site.url,
        publicKey: siteState.publicKey,
        attestationCohortPct: siteState.attestationCohortPct,
        rate: 4,
        log: (l) => log.warn(l),
      })
    : undefined;

  return {
    urls: { dashboard: dashboardUrl, beacon: beaconUrl, site: site.url, beaconMetrics: beacon.metricsUrl },
    login: { email: config.demoEmail, password: config.demoPassword },
    admin: { email: config.adminEmail, password: config.adminPassword },
    publicKey: siteState.publicKey,
    appPublicKey: siteState.app.publicKey,
    async stop() {
      traffic?.stop();
      await site.close();
      await api.close();
      await beacon.stop();
      await db.close();
      await database.release();
    },
  };
}
