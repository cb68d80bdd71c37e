import { z } from 'zod';
import { router } from '../trpc.js';
import { siteViewerProcedure } from '../site-procedures.js';
import { MAX_RANGE_MS, getOverview, getTopPages } from '../services/stats.js';

const rangeInput = z
  .object({
    preset: z.enum(['24h', '7d', '30d', 'custom']).default('24h'),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
    includeSuspect: z.boolean().default(true),
  })
  .refine((v) => v.preset !== 'custom' || (v.from && v.to), { message: 'A custom range needs a start and an end.' })
  .refine(
    (v) => v.preset !== 'custom' || !v.from || !v.to || (Date.parse(v.to) > Date.parse(v.from) && Date.parse(v.to) - Date.parse(v.from) <= MAX_RANGE_MS),
    { message: 'The end must be after the start, and the range at most 400 days.' },
  );

type RangeInput = z.output<typeof rangeInput>;

function rangeOptions(input: RangeInput, now: Date) {
  return {
    now,
    preset: input.preset,
    custom: input.preset === 'custom' && input.from && input.to ? { from: new Date(input.from), to: new Date(input.to) } : undefined,
    includeSuspect: input.includeSuspect,
  };
}

export const statsRouter = router({
  /** Totals, events over time, score histogram, DOM checks and reasons: the bucket rollups. */
  overview: siteViewerProcedure.input(rangeInput).query(({ ctx, input }) => getOverview(ctx.db, ctx.site._id, rangeOptions(input, ctx.now()))),

  /** Top pages: the path rollups. */
  topPages: siteViewerProcedure.input(rangeInput).query(({ ctx, input }) => getTopPages(ctx.db, ctx.site._id, rangeOptions(input, ctx.now()))),
});
