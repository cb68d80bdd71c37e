import net from 'node:net';
import { pino, type Logger } from 'pino';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { ListenError, startBeacon } from '@tagward/beacon';
import { startApiServer } from '@tagward/api';
import { apiConfigFor, beaconConfigFor } from './app-configs.js';
import { EMBED_DIST_DIR, readEmbedManifest } from '@tagward/embed';
import { startMailCatcher, type RunningMailCatcher } from '@tagward/mail-catcher';
import type { DemoConfig } from './config.js';
import { seedDemo, type DemoSeed } from './seed.js';
import { startDemoSite } from './site.js';
import { startTraffic } from './traffic.js';

export interface Stack {
  urls: { dashboard: string; beacon: string; site: string; beaconMetrics: string | undefined; mailInbox: string | undefined };
  login: { email: string; password: string };
  /** The platform admin; two-factor is on, with this TOTP key (base32). */
  admin: { email: string; password: string; totpKey: string };
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
/** `npm start` could not start: which port was busy and which variable moves it. */
export class StartError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartError';
  }
}

/** Turns a listen failure on a busy port into a message that says what to change. */
async function listening<T>(what: string, port: number, variable: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    // The beacon names its own ports (BEACON_PORT, BEACON_METRICS_PORT).
    if (error instanceof ListenError) throw new StartError(`${what}: ${error.message}`, { cause: error });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartError(`port ${port} (${what}) is already in use: stop what uses it, or set ${variable} to another port`, { cause: error });
    if (code === 'EACCES') throw new StartError(`port ${port} (${what}) needs privileges this process does not have: set ${variable} to a port above 1023`, { cause: error });
    throw error;
  }
}

/**
 * The whole system in one process: embedded database, beacon, API serving the dashboard, the
 * demo client site, the demo account and (optionally) demo traffic. `npm start` runs it with
 * fixed ports; the end-to-end tests run it on free ports with a database of their own. If any
 * part fails to start, what was already started is stopped again (the database lease included)
 * before the error is thrown.
 */
export async function startStack(config: DemoConfig, log: Logger = pino({ level: 'info' }), env: NodeJS.ProcessEnv = {}): Promise<Stack> {
  const started: Array<() => Promise<void> | void> = [];
  const stopAll = async () => {
    for (const stop of started.reverse()) await Promise.resolve(stop()).catch((error: unknown) => log.warn({ err: error }, 'stop failed'));
  };
  try {
    return await startParts(config, log, env, started, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function startParts(
  config: DemoConfig,
  log: Logger,
  env: NodeJS.ProcessEnv,
  started: Array<() => Promise<void> | void>,
  stopAll: () => Promise<void>,
): Promise<Stack> {
  const database = await resolveDatabase(config.mongodbUri, { log: (line) => log.info(line), preference: config.embeddedDb });
  started.push(() => database.release());
  const db = await connectDatabase(database.uri, config.dbName);
  started.push(() => db.close());
  await ensureIndexes(db);

  const beaconConfig = beaconConfigFor(config, env, database.uri);
  const beacon = await listening('beacon', beaconConfig.port, 'BEACON_PORT', () =>
    startBeacon({ config: beaconConfig, log: log.child({ app: 'beacon' }), embedDir: EMBED_DIST_DIR }),
  );
  started.push(() => beacon.stop());
  const beaconUrl = beacon.url.replace(config.host, config.publicHost);

  // No mail server given: the mail catcher takes the mails, and its web inbox shows them.
  const catcher: RunningMailCatcher | undefined = config.smtpUrl
    ? undefined
    : await listening('mail catcher', config.mailCatcherPort, 'MAIL_CATCHER_PORT or MAIL_CATCHER_SMTP_PORT', () =>
        startMailCatcher({ host: config.host, webPort: config.mailCatcherPort, smtpPort: config.mailCatcherSmtpPort }),
      );
  if (catcher) started.push(() => catcher.stop());
  // Links in mails point at the dashboard: its port is known only once the API listens, so a
  // fixed port is used as given and a free one (tests) is found first.
  const apiPort = config.apiPort || (await freePort(config.host));
  const apiConfig = apiConfigFor(config, env, { beaconUrl, apiPort, smtpUrl: config.smtpUrl ?? catcher?.smtpUrl });
  const api = await listening('API and dashboard', apiPort, 'API_PORT', () =>
    startApiServer({ db, config: apiConfig, dashboardDir: apiConfig.dashboardDir, port: apiPort, host: config.host }),
  );
  started.push(() => api.close());
  const dashboardUrl = api.url.replace(config.host, config.publicHost);

  // Filled in once the site is seeded: seeding needs the demo site's origin, known after listen.
  const seeded: { site?: DemoSeed } = {};
  const manifest = readEmbedManifest();
  const site = await listening('demo client site', config.sitePort, 'DEMO_SITE_PORT', () =>
    startDemoSite({
      host: config.host,
      port: config.sitePort,
      publicHost: config.siteHost ?? config.publicHost,
      beaconUrl,
      embed: { file: manifest.file, sri: manifest.sri, spa: { file: manifest.spa.file, sri: manifest.spa.sri } },
      getSite: () => {
        if (!seeded.site) throw new Error('demo site not seeded yet');
        return seeded.site;
      },
    }),
  );
  started.push(() => site.close());
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
  if (traffic) started.push(() => traffic.stop());

  return {
    urls: { dashboard: dashboardUrl, beacon: beaconUrl, site: site.url, beaconMetrics: beacon.metricsUrl, mailInbox: catcher?.webUrl.replace(config.host, config.publicHost) },
    login: { email: config.demoEmail, password: config.demoPassword },
    admin: { email: config.adminEmail, password: config.adminPassword, totpKey: siteState.adminTotpKey },
    publicKey: siteState.publicKey,
    appPublicKey: siteState.app.publicKey,
    stop: stopAll,
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
