import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { protectedProcedure } from './trpc.js';
import { canManageSite, canViewSite, siteRoleOf } from './permissions.js';
import { loadSite } from './services/sites.js';

/** A site id as it travels: the hex of a Mongo ObjectId. */
export const siteIdSchema = z.string().regex(/^[a-f0-9]{24}$/, 'Not a site id.');

/**
 * Procedures scoped to one site take `{ siteId }` and get the site in their context. The
 * permission check happens here, before any procedure body runs, so a procedure cannot forget it.
 * An actor who may not see the site gets NOT_FOUND, exactly as for a site that does not exist.
 */
export const siteViewerProcedure = protectedProcedure
  .input(z.object({ siteId: siteIdSchema }))
  .use(async ({ ctx, input, next }) => {
    const site = await loadSite(ctx.db, input.siteId);
    if (!site || !canViewSite(ctx.user, site)) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'Site not found.' });
    }
    return next({ ctx: { ...ctx, site, siteRole: siteRoleOf(ctx.user, site) } });
  });

/** As above, and the actor must own the site: viewers get FORBIDDEN. */
export const siteOwnerProcedure = siteViewerProcedure.use(({ ctx, next }) => {
  if (!canManageSite(ctx.user, ctx.site)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Only owners of this site can do that.' });
  }
  return next();
});
