import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { Database } from '@tagward/db';
import type { ApiConfig } from './config.js';
import { createExpressContextFactory } from './context.js';
import { appRouter } from './router/root.js';
import { createServices } from './services/index.js';
import { securityHeaders } from './http/security-headers.js';
import { dashboardRouter } from './http/dashboard.js';
import { stopAllBacktests } from './services/moderation/backtest.js';
import { resumeSitePurges } from './services/sites.js';
import { createIntegrations, type Integrations } from './services/integrations.js';
import type { Notifier } from './services/webhooks/notifier.js';
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
  /** Tells site owners about disabled webhook endpoints; the mailer goes here (default: a log line). */
  notifier?: Notifier;
  /** Test seams of webhook delivery (resolver, test network). */
  network?: NetworkHooks;
  /** Built by startApiServer (which starts and stops it); created here when absent. */
  integrations?: Integrations;
}

/** Largest tRPC request body: forms and filters are small; anything bigger is refused early. */
const MAX_BODY_BYTES = 64 * 1024;

export function createApiApp(deps: ApiDeps): express.Express {
  const log = deps.log ?? pino({ level: deps.config.logLevel });
  const now = deps.now ?? (() => new Date());
  const integrations = deps.integrations ?? createIntegrations({ db: deps.db, config: deps.config, log, notifier: deps.notifier, network: deps.network, now });
  const services = { ...createServices(deps.db, deps.config), integrations };
  const app = express();
  app.disable('x-powered-by');
  // Off by default: X-Forwarded-For from the open internet would let anyone pick the IP the
  // login throttle counts against.
  app.set('trust proxy', deps.config.trustProxy ? 1 : false);
  app.use(securityHeaders);

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
      maxBodySize: MAX_BODY_BYTES,
      onError({ error, path }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') log.error({ err: error.cause ?? error, path }, 'procedure failed');
      },
    }),
  );

  // Issue 17: the REST Stats API (bearer keys) and the dashboard's export downloads (session).
  app.use('/api/v1', restApiRouter({ db: deps.db, config: deps.config, log, uses: integrations.keyUses, now }));
  app.use('/exports', dashboardExportRouter({ db: deps.db, config: deps.config, log, now }));

  if (deps.dashboardDir) app.use(dashboardRouter(deps.dashboardDir));

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'Not found.' } });
  });
  return app;
}

export interface RunningApi {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

/** Listens with the app (port 0 picks a free port) and runs the maintenance sweep. */
export async function startApiServer(deps: ApiDeps & { port: number; host: string }): Promise<RunningApi> {
  const log = deps.log ?? pino({ level: deps.config.logLevel });
  const integrations = createIntegrations({ db: deps.db, config: deps.config, log, notifier: deps.notifier, network: deps.network, now: deps.now ?? (() => new Date()) });
  const app = createApiApp({ ...deps, log, integrations });
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host, () => resolve());
  });
  // A site deletion interrupted by a stop finishes now (its data purge is idempotent).
  const resumed = await resumeSitePurges(deps.db);
  if (resumed > 0) log.info({ sites: resumed }, 'finished purging deleted sites');
  integrations.start();
  const { port } = server.address() as AddressInfo;
  const host = deps.host.includes(':') ? `[${deps.host}]` : deps.host;
  return {
    url: `http://${host}:${port}`,
    server,
    async close() {
      // A running backtest would otherwise only end by failing once the database closes.
      await stopAllBacktests();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await integrations.stop();
    },
  };
}
