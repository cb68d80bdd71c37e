/**
 * The REST API under /api/v1 (issue 17): statistics and events of the site the bearer key
 * belongs to. Every endpoint but the OpenAPI document needs a key; each declares its scope here.
 */
import express, { type Router } from 'express';
import type { Database, KeyUseCounter } from '@tagward/db';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config.js';
import { listEvents } from '../services/events.js';
import { statsAggregate, statsBreakdown, statsTimeseries } from '../services/stats-api.js';
import { authenticate, principalOf, requireScope, takeExportRate } from './auth.js';
import { streamExport } from './export.js';
import { jsonEndpoint } from './handle.js';
import { openApiDocument } from './openapi.js';
import { RestError, invalidRequest, sendRestError, toRestError } from './respond.js';
import { aggregateQuery, breakdownQuery, eventsQuery, exportQuery, timeseriesQuery } from './schemas.js';

export interface RestApiDeps {
  db: Database;
  config: ApiConfig;
  log: Logger;
  uses: KeyUseCounter;
  now: () => Date;
}

export function restApiRouter(deps: RestApiDeps): Router {
  const { db } = deps;
  const routes = express.Router();
  routes.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  const document = JSON.stringify(openApiDocument());
  routes.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });

  const auth = authenticate(deps);
  const stats = [auth, requireScope('stats:read')];
  const events = [auth, requireScope('events:read')];
  const siteOf = (res: express.Response) => principalOf(res).siteId;

  routes.get('/stats/aggregate', ...stats, jsonEndpoint(aggregateQuery, (q, res) => statsAggregate(db, siteOf(res), q, deps.now())));
  routes.get('/stats/timeseries', ...stats, jsonEndpoint(timeseriesQuery, (q, res) => statsTimeseries(db, siteOf(res), q, deps.now())));
  routes.get('/stats/breakdown', ...stats, jsonEndpoint(breakdownQuery, (q, res) => statsBreakdown(db, siteOf(res), q, deps.now())));
  routes.get(
    '/events',
    ...events,
    jsonEndpoint(eventsQuery, (q, res) =>
      listEvents(
        db,
        siteOf(res),
        { verdict: q.verdict, reason: q.reason, path: q.path, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
        { cursor: q.cursor, limit: q.limit, now: deps.now() },
      ),
    ),
  );
  routes.get('/events/export', ...events, (req, res) => {
    const parsed = exportQuery.safeParse(req.query);
    if (!parsed.success) return sendRestError(res, invalidRequest(parsed.error));
    void (async () => {
      const { principal, siteId } = principalOf(res);
      await takeExportRate(db, deps.config, `key:${principal.kid}`, deps.now());
      const site = await db.models.Site.findById(siteId, { name: 1 }).lean();
      if (!site) throw new RestError('not_found', 'This key\'s site no longer exists.');
      await streamExport(db, deps.log, res, { _id: siteId, name: site.name }, parsed.data);
    })().catch((error: unknown) => sendRestError(res, toRestError(error)));
  });

  routes.use((_req, res) => sendRestError(res, new RestError('not_found', 'No such API endpoint. See /api/v1/openapi.json.')));
  return routes;
}
