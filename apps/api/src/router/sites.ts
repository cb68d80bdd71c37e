import { z } from 'zod';
import { protectedProcedure, requireRecentAuth, router } from '../trpc.js';
import { siteOwnerProcedure, siteViewerProcedure } from '../site-procedures.js';
import {
  createSite,
  deleteSite,
  listMembers,
  listSites,
  removeMember,
  renameSite,
  toSiteDto,
  updateSiteSettings,
} from '../services/sites.js';
import { getIntegrationStatus } from '../services/stats.js';
import { buildInstall } from '../services/install.js';

const nameSchema = z.string().trim().min(1, 'Give the site a name.').max(80, 'Use at most 80 characters.');

export const sitesRouter = router({
  list: protectedProcedure.query(({ ctx }) => listSites(ctx.db, ctx.user)),

  get: siteViewerProcedure.query(({ ctx }) => toSiteDto(ctx.site, ctx.user)),

  create: protectedProcedure
    .input(z.object({ name: nameSchema, mode: z.enum(['live', 'test']) }))
    .mutation(({ ctx, input }) => createSite(ctx.db, ctx.config.masterKey, ctx.user, input, ctx.now())),

  rename: siteOwnerProcedure
    .input(z.object({ name: nameSchema }))
    .mutation(({ ctx, input }) => renameSite(ctx.db, ctx.site, ctx.user, input.name, ctx.now())),

  updateSettings: siteOwnerProcedure
    .input(
      z.object({
        pageTokenRequired: z.boolean().optional(),
        attestationCohortPct: z.number().int().min(0).max(100).optional(),
        retentionMonths: z.number().int().min(1).max(60).optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateSiteSettings(ctx.db, ctx.site, ctx.user, input, ctx.now())),

  delete: siteOwnerProcedure
    .input(z.object({ confirmName: z.string().max(200) }))
    .mutation(async ({ ctx, input }) => {
      await deleteSite(ctx.db, ctx.site, ctx.user, input.confirmName, ctx.now());
      return { ok: true as const };
    }),

  members: siteViewerProcedure.query(({ ctx }) => listMembers(ctx.db, ctx.site, ctx.user)),

  // Members join by invitation only (router/invitations.ts).
  removeMember: siteOwnerProcedure
    .use(requireRecentAuth)
    .input(z.object({ userId: z.string().regex(/^[a-f0-9]{24}$/) }))
    .mutation(({ ctx, input }) => removeMember(ctx.db, ctx.site, ctx.user, input.userId, ctx.now())),

  integrationStatus: siteViewerProcedure.query(({ ctx }) => getIntegrationStatus(ctx.db, ctx.site, ctx.now())),

  install: siteViewerProcedure.query(({ ctx }) =>
    buildInstall({
      publicBeaconUrl: ctx.config.publicBeaconUrl,
      publicKey: ctx.site.publicKey,
      attestationCohortPct: ctx.site.attestationCohortPct ?? 0,
      embedDir: ctx.config.embedDir,
    }),
  ),
});
