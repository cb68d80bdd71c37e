import { z } from 'zod';
import { router } from '../trpc.js';
import { siteViewerProcedure } from '../site-procedures.js';
import { MAX_RANGE_MS, getOverview } from '../services/stats.js';

export const statsRouter = router({
  overview: siteViewerProcedure
    .input(
      z
        .object({
          preset: z.enum(['24h', '7d', '30d', 'custom']).default('24h'),
          from: z.iso.datetime().optional(),
          to: z.iso.datetime().optional(),
          includeSuspect: z.boolean().default(true),
        })
        .refine((v) => v.preset !== 'custom' || (v.from && v.to), { message: 'A custom range needs a start and an end.' })
        .refine((v) => v.preset !== 'custom' || !v.from || !v.to || (Date.parse(v.to) > Date.parse(v.from) && Date.parse(v.to) - Date.parse(v.from) <= MAX_RANGE_MS), {
          message: 'The end must be after the start, and the range at most 400 days.',
        }),
    )
    .query(({ ctx, input }) =>
      getOverview(ctx.db, ctx.site._id, {
        now: ctx.now(),
        preset: input.preset,
        custom: input.preset === 'custom' && input.from && input.to ? { from: new Date(input.from), to: new Date(input.to) } : undefined,
        includeSuspect: input.includeSuspect,
      }),
    ),
});
