import { z } from 'zod';
import { requireRecentAuth, requireVerifiedEmail, router } from '../trpc.js';
import { siteOwnerProcedure } from '../site-procedures.js';
import { createSecretKey, listKeys, revokeSecretKey, rotateSecretKeys } from '../services/keys.js';

/**
 * Secret keys (issue 5). Owners only, reads included: viewers need the publishable key, which
 * `sites.get` gives them, and nothing about the secret ones.
 */
export const keysRouter = router({
  list: siteOwnerProcedure.query(({ ctx }) => listKeys(ctx.db, ctx.site, ctx.now())),

  // Creating and rotating keys: a verified email, and a recent re-authentication.
  create: siteOwnerProcedure.use(requireVerifiedEmail).use(requireRecentAuth).mutation(({ ctx }) => createSecretKey(ctx.db, ctx.config.masterKey, ctx.site, ctx.user, ctx.now())),

  rotate: siteOwnerProcedure
    .use(requireVerifiedEmail)
    .use(requireRecentAuth)
    .input(z.object({ graceHours: z.number().min(0).max(168).default(24) }))
    .mutation(({ ctx, input }) => rotateSecretKeys(ctx.db, ctx.config.masterKey, ctx.site, ctx.user, input.graceHours, ctx.now())),

  revoke: siteOwnerProcedure
    .input(z.object({ kid: z.string().regex(/^[A-Za-z0-9]{16}$/, 'Not a key id.') }))
    .mutation(({ ctx, input }) => revokeSecretKey(ctx.db, ctx.site, ctx.user, input.kid, ctx.now())),
});
