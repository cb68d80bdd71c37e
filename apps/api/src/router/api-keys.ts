import { z } from 'zod';
import { API_SCOPES } from '@tagward/protocol';
import { router } from '../trpc.js';
import { siteOwnerProcedure } from '../site-procedures.js';
import { MAX_KEY_LIFETIME_DAYS, createRestrictedKey, listRestrictedKeys, revokeRestrictedKey } from '../services/api-keys.js';

/** Restricted API keys (issue 17). Owners only, like secret keys. */
export const apiKeysRouter = router({
  list: siteOwnerProcedure.query(({ ctx }) => listRestrictedKeys(ctx.db, ctx.site, ctx.now())),

  create: siteOwnerProcedure
    .input(
      z.object({
        name: z.string().trim().min(1, 'Name the key, e.g. after what uses it.').max(60, 'Use at most 60 characters.'),
        scopes: z.array(z.enum(API_SCOPES)).min(1, 'Choose at least one scope.').max(API_SCOPES.length),
        expiresInDays: z.number().int().min(1).max(MAX_KEY_LIFETIME_DAYS).nullable().default(null),
      }),
    )
    .mutation(({ ctx, input }) => createRestrictedKey(ctx.db, ctx.site, ctx.user, input, ctx.now())),

  revoke: siteOwnerProcedure
    .input(z.object({ kid: z.string().regex(/^[A-Za-z0-9]{16}$/, 'Not a key id.') }))
    .mutation(({ ctx, input }) => revokeRestrictedKey(ctx.db, ctx.site, ctx.user, input.kid, ctx.now())),
});
