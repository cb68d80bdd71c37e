import { z } from 'zod';
import { router } from '../trpc.js';
import { siteOwnerProcedure } from '../site-procedures.js';
import type { Context } from '../context.js';
import { readAlertSettings, saveAlertSettings } from '../services/webhooks/alerts.js';
import { DELIVERY_PAGE, createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rollSecret, sendTestEvent, updateEndpoint, type EndpointContext } from '../services/webhooks/endpoints.js';
import { listDeliveries } from '../services/webhooks/delivery-log.js';
import { SUBSCRIBABLE_EVENTS } from '../services/webhooks/types.js';

const endpointId = z.string().regex(/^[a-f0-9]{24}$/, 'Not an endpoint id.');
const url = z.string().trim().min(1, 'Enter the URL that receives the events.').max(2048, 'Use a URL of at most 2048 characters.');
const events = z.array(z.enum(SUBSCRIBABLE_EVENTS)).min(1, 'Choose at least one event.');
const description = z.string().trim().max(100, 'Use at most 100 characters.');

function endpointContext(ctx: Context): EndpointContext {
  return { db: ctx.db, masterKey: ctx.config.masterKey, mode: ctx.config.webhooks.targets, lookup: ctx.services.integrations?.network.lookup, now: ctx.now() };
}

/** Webhook endpoints, their delivery logs and the site's alert thresholds (issue 17). Owners only: endpoints hold secrets. */
export const webhooksRouter = router({
  list: siteOwnerProcedure.query(({ ctx }) => listEndpoints(ctx.db, ctx.site, ctx.now())),

  get: siteOwnerProcedure.input(z.object({ endpointId })).query(({ ctx, input }) => getEndpoint(ctx.db, ctx.site, input.endpointId, ctx.now())),

  create: siteOwnerProcedure
    .input(z.object({ url, description: description.default(''), events }))
    .mutation(({ ctx, input }) => createEndpoint(endpointContext(ctx), ctx.site, ctx.user, input)),

  update: siteOwnerProcedure
    .input(z.object({ endpointId, url: url.optional(), description: description.optional(), events: events.optional(), enabled: z.boolean().optional() }))
    .mutation(({ ctx, input }) => updateEndpoint(endpointContext(ctx), ctx.site, ctx.user, input.endpointId, input)),

  remove: siteOwnerProcedure.input(z.object({ endpointId })).mutation(({ ctx, input }) => deleteEndpoint(ctx.db, ctx.site, ctx.user, input.endpointId, ctx.now())),

  rollSecret: siteOwnerProcedure.input(z.object({ endpointId })).mutation(({ ctx, input }) => rollSecret(endpointContext(ctx), ctx.site, ctx.user, input.endpointId)),

  sendTest: siteOwnerProcedure.input(z.object({ endpointId })).mutation(async ({ ctx, input }) => {
    const sent = await sendTestEvent(ctx.db, ctx.site, input.endpointId, ctx.now());
    ctx.services.integrations?.kick();
    return sent;
  }),

  deliveries: siteOwnerProcedure
    .input(z.object({ endpointId, cursor: z.string().max(200).nullish(), limit: z.number().int().min(1).max(100).default(DELIVERY_PAGE) }))
    .query(({ ctx, input }) => listDeliveries(ctx.db, ctx.site, input.endpointId, input)),

  alertSettings: siteOwnerProcedure.query(({ ctx }) => readAlertSettings(ctx.db, ctx.site._id)),

  saveAlertSettings: siteOwnerProcedure
    .input(
      z.object({
        fraudSpikePct: z.number().min(1).max(100),
        fraudSpikeWindowHours: z.number().int().min(1).max(48),
        fraudSpikeMinEvents: z.number().int().min(1).max(1_000_000),
        silentHours: z.number().int().min(1).max(168),
      }),
    )
    .mutation(({ ctx, input }) => saveAlertSettings(ctx.db, ctx.site._id, input)),
});
