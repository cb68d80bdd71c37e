import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { Database } from '@tagward/db';
import type { ApiConfig } from './config.js';
import { createExpressContextFactory } from './context.js';
import { appRouter } from './router/root.js';
import { createServices, type Services } from './services/index.js';
import { productionHeaders, securityHeaders } from './http/security-headers.js';
import { dashboardRouter } from './http/dashboard.js';
import { stopAllBacktests } from './services/moderation/backtest.js';
import { resumeSitePurges } from './services/sites.js';
import { scheduleRetention } from './services/retention.js';
import { createIntegrations, type Integrations } from './services/integrations.js';
import { mailNotifier, type Notifier } from './services/webhooks/notifier.js';
import type { NetworkHooks } from './services/webhooks/transport.js';
import { restApiRouter } from './rest/router.js';
import { dashboardExportRouter } from './http/dashboard-export.js';

export interface ApiDeps {
  db: Database;
  config: ApiConfig;
  /** Built dashboard (apps/dashboard/build) to serve with its SPA fallback page. */
  dashboardDir?: string;
  log?: Logger;
  /** Clock override for tests. */
  now?: () => Date;
  /** Shared helpers (throttles, the mailer); made from the config when not given. */
  services?: Services;
  /** Tells site owners about disabled webhook endpoints; the mailer goes here (default: a log line). */
  notifier?: Notifier;
  /** Test seams of webhook delivery (resolver, test network). */
  network?: NetworkHooks;
  /** Built by startApiServer (which starts and stops it); created here when absent. */
  integrations?: Integrations;
}

export function createApiApp(deps: ApiDeps): express.Express {
  const log = deps.log ?? pino({ level: deps.config.logLevel });
  const now = deps.now ?? (() => new Date());
  const shared = deps.services ?? createServices(deps.db, deps.config, log);
  const integrations = deps.integrations ?? shared.integrations ?? createIntegrationsFor(deps, shared, log);
  const services: Services = { ...shared, integrations };
  const app = express();
  app.disable('x-powered-by');
  // Off by default: X-Forwarded-For from the open internet would let anyone pick the IP the
  // login throttle counts against.
  app.set('trust proxy', deps.config.trustProxy ? 1 : false);
  app.use(securityHeaders);
  if (deps.config.production) app.use(productionHeaders);

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });

  app.use(
    '/trpc',
    (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      next();
    },
    createExpressMiddleware({
      router: appRouter,
      createContext: createExpressContextFactory({ db: deps.db, config: deps.config, services, now: deps.now }),
      // Forms and filters are small: anything bigger is refused before it is parsed.
      maxBodySize: deps.config.maxBodyBytes,
      // One request may not carry more calls than the dashboard ever batches: a batch of a
      // hundred sign-ups or logins would otherwise cost a hundred argon2 hashes in one request.
      maxBatchSize: deps.config.maxBatchSize,
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'procedure failed');
      },
    }),
  );

  // The REST Stats API (bearer keys) and the dashboard's export downloads (session).
  app.use('/api/v1', restApiRouter({ db: deps.db, config: deps.config, log, uses: integrations.keyUses, now }));
  app.use('/exports', dashboardExportRouter({ db: deps.db, config: deps.config, log, now, sessionLifetime: services.sessionLifetime }));

  if (deps.dashboardDir) app.use(dashboardRouter(deps.dashboardDir, { serveSourceMaps: !deps.config.production }));

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'Not found.' } });
  });
  return app;
}

export interface RunningApi {
  url: string;
  server: http.Server;
  services: Services;
  close(): Promise<void>;
}

/** Listens with the app (port 0 picks a free port) and runs the maintenance sweep. */
export async function startApiServer(deps: ApiDeps & { port: number; host: string }): Promise<RunningApi> {
  const log = deps.log ?? pino({ level: deps.config.logLevel });
  const shared = deps.services ?? createServices(deps.db, deps.config, log);
  const integrations = deps.integrations ?? createIntegrationsFor(deps, shared, log);
  const services: Services = { ...shared, integrations };
  const app = createApiApp({ ...deps, log, services, integrations });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  // A site deletion interrupted by a stop finishes now (its data purge is idempotent).
  const resumed = await resumeSitePurges(deps.db);
  if (resumed > 0) log.info({ sites: resumed }, 'finished purging deleted sites');
  const stopRetention = scheduleRetention(deps.db, log);
  integrations.start();
  const { port } = server.address() as AddressInfo;
  const host = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
  return {
    url: `http://${host}:${port}`,
    server,
    services,
    async close() {
      stopRetention();
      // A running backtest would otherwise only end by failing once the database closes.
      await stopAllBacktests();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await integrations.stop();
      // Mails still being handed to the mail server go out before the database closes.
      await services.mailer.idle();
      services.mailer.close();
    },
  };
}

/** The webhook worker and key-use counter; owners are told about disabled endpoints by mail. */
function createIntegrationsFor(deps: ApiDeps, services: Services, log: Logger): Integrations {
  const notifier = deps.notifier ?? mailNotifier(deps.db, services.mailer, log);
  return createIntegrations({ db: deps.db, config: deps.config, log, notifier, network: deps.network, now: deps.now ?? (() => new Date()) });
}
