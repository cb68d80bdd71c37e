/**
 * The dashboard's export button: `GET /exports/sites/:siteId/events?format&from&to&verdict` with
 * the session cookie (a download link cannot go through tRPC, and cannot send a bearer key).
 * The same streaming and the same query schema as the REST API's `/events/export`.
 */
import express, { type Router } from 'express';
import { readSessionToken, validateSessionToken, type SessionLifetime } from '@tagward/auth';
import { requestUsesSecureCookies } from '../context.js';
import type { Database } from '@tagward/db';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config.js';
import { canViewSite } from '../permissions.js';
import { loadSite } from '../services/sites.js';
import { siteIdSchema } from '../site-procedures.js';
import { takeExportRate } from '../rest/auth.js';
import { streamExport } from '../rest/export.js';
import { RestError, invalidRequest, sendRestError, toRestError } from '../rest/respond.js';
import { exportQuery } from '../rest/schemas.js';

export function dashboardExportRouter(deps: { db: Database; config: ApiConfig; log: Logger; now: () => Date; sessionLifetime: SessionLifetime }): Router {
  const routes = express.Router();
  routes.get('/sites/:siteId/events', (req, res) => {
    void (async () => {
      // A download started from another site's page carries the Lax cookie on a top-level
      // navigation; it could not read the file, but refusing it costs nothing.
      const fetchSite = req.headers['sec-fetch-site'];
      if (fetchSite && fetchSite !== 'same-origin' && fetchSite !== 'none') throw new RestError('unauthorized', 'Start exports from the dashboard.');
      // The same cookie, and the same idle and absolute lifetimes, as the tRPC context reads.
      const token = readSessionToken(req.headers.cookie, requestUsesSecureCookies(deps.config, req));
      const session = token ? await validateSessionToken(deps.db, token, deps.now(), deps.sessionLifetime) : null;
      if (!session) throw new RestError('unauthorized', 'Please log in.');
      const siteId = siteIdSchema.safeParse(req.params.siteId);
      const site = siteId.success ? await loadSite(deps.db, siteId.data) : null;
      // As everywhere: a site the user may not see reads exactly like one that does not exist.
      if (!site || !canViewSite(session.user, site)) throw new RestError('not_found', 'Site not found.');
      const query = exportQuery.safeParse(req.query);
      if (!query.success) throw invalidRequest(query.error);
      await takeExportRate(deps.db, deps.config, `user:${session.user.id}`, deps.now());
      await streamExport(deps.db, deps.log, res, site, query.data);
    })().catch((error: unknown) => sendRestError(res, toRestError(error)));
  });
  return routes;
}
