import { z } from 'zod';
import { protectedProcedure, router } from '../trpc.js';
import { siteOwnerProcedure } from '../site-procedures.js';
import { addAllowedOrigin, checkOriginPattern, removeAllowedOrigin } from '../services/origins.js';

const patternInput = z.string().max(300, 'Use at most 300 characters.');

export const originsRouter = router({
  /** Inline validation while typing: pure, touches no site. */
  check: protectedProcedure
    .input(z.object({ input: patternInput, mode: z.enum(['live', 'test']) }))
    .query(({ input }) => checkOriginPattern(input.input, input.mode)),

  add: siteOwnerProcedure
    .input(z.object({ origin: patternInput }))
    .mutation(({ ctx, input }) => addAllowedOrigin(ctx.db, ctx.site, ctx.user, input.origin, ctx.now())),

  remove: siteOwnerProcedure
    .input(z.object({ origin: patternInput }))
    .mutation(({ ctx, input }) => removeAllowedOrigin(ctx.db, ctx.site, ctx.user, input.origin, ctx.now())),
});
