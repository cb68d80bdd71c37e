import { z } from 'zod';
import { protectedProcedure, router } from '../trpc.js';
import { siteViewerProcedure } from '../site-procedures.js';
import { EVENTS_PAGE_MAX, getEvent, listEvents } from '../services/events.js';
import { listReasonCodes } from '../services/explain.js';

export const eventsRouter = router({
  list: siteViewerProcedure
    .input(
      z.object({
        verdict: z.enum(['trusted', 'suspect', 'fraud']).optional(),
        reason: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'Not a reason code.').optional(),
        path: z.string().max(2048).optional(),
        from: z.iso.datetime().optional(),
        to: z.iso.datetime().optional(),
        cursor: z.string().max(200).nullish(),
        limit: z.number().int().min(1).max(EVENTS_PAGE_MAX).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      listEvents(
        ctx.db,
        ctx.site._id,
        {
          verdict: input.verdict,
          reason: input.reason,
          path: input.path || undefined,
          from: input.from ? new Date(input.from) : undefined,
          to: input.to ? new Date(input.to) : undefined,
        },
        { cursor: input.cursor, limit: input.limit, now: ctx.now() },
      ),
    ),

  get: siteViewerProcedure
    .input(z.object({ eventId: z.string().regex(/^[a-f0-9]{24}$/, 'Not an event id.') }))
    .query(({ ctx, input }) => getEvent(ctx.db, ctx.site._id, input.eventId)),

  /** The reason catalogue, for the explorer's filter. Static: no site data. */
  reasonCodes: protectedProcedure.query(() => listReasonCodes()),
});
