import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { beaconConfigSchema, startBeacon } from '@tagward/beacon';
import { apiConfigSchema, startApiServer } from '@tagward/api';
import { EMBED_DIST_DIR, readEmbedManifest } from '@tagward/embed';
import { startMailCatcher, type RunningMailCatcher } from '@tagward/mail-catcher';
import type { DemoConfig } from './config.js';
import { seedDemo } from './seed.js';
import { startDemoSite } from './site.js';
import { startTraffic } from './traffic.js';

/** The dashboard's build output (SvelteKit's adapter-static writes `build/`), which the API serves. */
const DASHBOARD_BUILD_DIR = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@tagward/dashboard/package.json')),
  'build',
);

export interface Stack {
  urls: { dashboard: string; beacon: string; site: string; beaconMetrics: string | undefined; mailInbox: string | undefined };
  login: { email: string; password: string };
  /** The platform admin; two-factor is on, with this TOTP key (base32). */
  admin: { email: string; password: string; totpKey: string };
  publicKey: string;
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

  // No mail server given: the mail catcher takes the mails, and its web inbox shows them.
  const catcher: RunningMailCatcher | undefined = config.smtpUrl
    ? undefined
    : await startMailCatcher({ host: config.host, webPort: config.mailCatcherPort, smtpPort: config.mailCatcherSmtpPort });
  // Links in mails point at the dashboard: its port is known only once the API listens, so a
  // fixed port is used as given and a free one (tests) is filled in by listening first.
  const apiPort = config.apiPort || (await freePort(config.host));
  const api = await startApiServer({
    db,
    config: apiConfigSchema.parse({
      port: apiPort,
      host: config.host,
      masterKey: config.masterKey,
      publicBeaconUrl: beaconUrl,
      publicUrl: `http://${config.publicHost}:${apiPort}`,
      smtpUrl: config.smtpUrl ?? catcher?.smtpUrl,
      ...(config.mailFrom ? { mailFrom: config.mailFrom } : {}),
    }),
    dashboardDir: DASHBOARD_BUILD_DIR,
    port: apiPort,
    host: config.host,
  });
  const dashboardUrl = api.url.replace(config.host, config.publicHost);

  // Filled in once the site is seeded: seeding needs the demo site's origin, known after listen.
  const seeded: { site?: { publicKey: string; secretKey: string; attestationCohortPct: number } } = {};
  const manifest = readEmbedManifest();
  const site = await startDemoSite({
    host: config.host,
    port: config.sitePort,
    publicHost: config.publicHost,
    beaconUrl,
    embed: { file: manifest.file, sri: manifest.sri },
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
    urls: { dashboard: dashboardUrl, beacon: beaconUrl, site: site.url, beaconMetrics: beacon.metricsUrl, mailInbox: catcher?.webUrl.replace(config.host, config.publicHost) },
    login: { email: config.demoEmail, password: config.demoPassword },
    admin: { email: config.adminEmail, password: config.adminPassword, totpKey: siteState.adminTotpKey },
    publicKey: siteState.publicKey,
    async stop() {
      traffic?.stop();
      await site.close();
      await api.close();
      await catcher?.stop();
      await beacon.stop();
      await db.close();
      await database.release();
    },
  };
}

/** A free TCP port on `host` (listen on 0, read it, close). */
async function freePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
