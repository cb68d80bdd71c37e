import { z } from 'zod';
import { router } from '../trpc.js';
import { siteViewerProcedure } from '../site-procedures.js';
import { MAX_RANGE_MS } from '../services/stats.js';
import { getCohorts } from '../services/attestation.js';

/** The same range as stats.overview (the dashboard's range picker), without the suspect toggle. */
const rangeInput = z
  .object({
    preset: z.enum(['24h', '7d', '30d', 'custom']).default('7d'),
    from: z.iso.datetime().optional(),
    to: z.iso.datetime().optional(),
  })
  .refine((v) => v.preset !== 'custom' || (v.from && v.to), { message: 'A custom range needs a start and an end.' })
  .refine(
    (v) => v.preset !== 'custom' || !v.from || !v.to || (Date.parse(v.to) > Date.parse(v.from) && Date.parse(v.to) - Date.parse(v.from) <= MAX_RANGE_MS),
    { message: 'The end must be after the start, and the range at most 400 days.' },
  );

/**
 * The attestation experiment panel. The cohort percentage itself is set with
 * sites.updateSettings({ attestationCohortPct }), an owner-only mutation.
 */
export const attestationRouter = router({
  /** Cohort against the rest: verdict mix, score histogram, outcomes, precision/recall, attacker cost. */
  cohorts: siteViewerProcedure.input(rangeInput).query(({ ctx, input }) =>
    getCohorts(ctx.db, ctx.site, {
      now: ctx.now(),
      preset: input.preset,
      custom: input.preset === 'custom' && input.from && input.to ? { from: new Date(input.from), to: new Date(input.to) } : undefined,
    }),
  ),
});
