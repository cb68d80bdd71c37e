import { z } from 'zod';
import { adminProcedure, router } from '../trpc.js';
import { siteIdSchema } from '../site-procedures.js';
import {
  discardDraft,
  getRulesState,
  listModerationSites,
  listVersions,
  publishDraft,
  reasonCatalogue,
  rollback,
  saveDraft,
  setShadow,
} from '../services/moderation/rules.js';
import { cancelBacktest, getBacktest, listBacktests, startBacktest } from '../services/moderation/backtest.js';
import { compareShadow } from '../services/moderation/shadow.js';
import { REVIEW_PAGE_MAX, labelEvent, reviewMetrics, reviewQueue } from '../services/moderation/review.js';
import { METRICS_DEFINITION } from '../services/moderation/metrics.js';
import { AUDIT_PAGE_MAX, listAudit, listAuditActions } from '../services/moderation/audit-log.js';

/**
 * The moderation view: platform admins tune the fraud rules. Every procedure here is an
 * `adminProcedure` (logged out: UNAUTHORIZED; logged in without the admin role: FORBIDDEN), and
 * every change is written to the audit log by the services.
 */

const scopeSchema = z.union([z.literal('global'), siteIdSchema]);
const objectIdSchema = z.string().regex(/^[a-f0-9]{24}$/, 'Not an id.');
const noteSchema = z.string().trim().min(3, 'Say what changed and why (at least 3 characters).').max(500, 'Use at most 500 characters.');
const verdictSchema = z.enum(['trusted', 'suspect', 'fraud']);
const HOUR_MS = 3_600_000;

/** A backtest or comparison window: a preset ending now, or explicit bounds. */
const windowSchema = z.union([
  z.object({ preset: z.enum(['24h', '7d']) }),
  z.object({ from: z.iso.datetime(), to: z.iso.datetime() }),
]);

function resolveWindow(window: z.infer<typeof windowSchema>, now: Date): { from: Date; to: Date } {
  if ('preset' in window) {
    // The upper bound is a little ahead of now so that events stored this second are included.
    const to = new Date(now.getTime() + 60_000);
    return { from: new Date(now.getTime() - (window.preset === '24h' ? 24 : 7 * 24) * HOUR_MS), to };
  }
  return { from: new Date(window.from), to: new Date(window.to) };
}

/**
 * One flat namespace (`moderation.<procedure>`), like the other domain routers, so tools that
 * walk `<domain>.<procedure>` paths (the permission tables) see every procedure.
 */
export const moderationRouter = router({
  // ---- rules: global rules and per-site overrides, drafts, versions ----------------------------
  rules: adminProcedure.input(z.object({ scope: scopeSchema })).query(({ ctx, input }) => getRulesState(ctx.db, input.scope)),

  versions: adminProcedure.input(z.object({ scope: scopeSchema })).query(({ ctx, input }) => listVersions(ctx.db, input.scope)),

  /** Validated in the service with the trust engine's schema; errors come back per field. */
  saveDraft: adminProcedure
    .input(z.object({ scope: scopeSchema, rules: z.record(z.string(), z.unknown()) }))
    .mutation(({ ctx, input }) => saveDraft(ctx.db, ctx.user, input.scope, input.rules, ctx.now())),

  discardDraft: adminProcedure
    .input(z.object({ scope: scopeSchema }))
    .mutation(({ ctx, input }) => discardDraft(ctx.db, ctx.user, input.scope, ctx.now())),

  publish: adminProcedure
    .input(z.object({ scope: scopeSchema, note: noteSchema }))
    .mutation(({ ctx, input }) => publishDraft(ctx.db, ctx.user, input.scope, input.note, ctx.now())),

  rollback: adminProcedure
    .input(z.object({ scope: scopeSchema, version: z.number().int().min(0), note: noteSchema }))
    .mutation(({ ctx, input }) => rollback(ctx.db, ctx.user, input.scope, input.version, input.note, ctx.now())),

  setShadow: adminProcedure
    .input(z.object({ enabled: z.boolean() }))
    .mutation(({ ctx, input }) => setShadow(ctx.db, ctx.user, input.enabled, ctx.now())),

  /** Reason codes with their kind and default weight: the editor's rows. */
  catalogue: adminProcedure.query(() => reasonCatalogue()),

  /** Sites to pick an override scope from. */
  sites: adminProcedure
    .input(z.object({ q: z.string().trim().max(80).optional() }))
    .query(({ ctx, input }) => listModerationSites(ctx.db, input.q || undefined)),

  // ---- backtests -------------------------------------------------------------------------------
  startBacktest: adminProcedure
    .input(z.object({ window: windowSchema, siteId: siteIdSchema.optional() }))
    .mutation(({ ctx, input }) => {
      const now = ctx.now();
      const { from, to } = resolveWindow(input.window, now);
      return startBacktest(ctx.db, ctx.user, { from, to, siteId: input.siteId }, now);
    }),

  backtest: adminProcedure.input(z.object({ jobId: objectIdSchema })).query(({ ctx, input }) => getBacktest(ctx.db, input.jobId, ctx.now())),

  backtests: adminProcedure.query(({ ctx }) => listBacktests(ctx.db, ctx.now())),

  cancelBacktest: adminProcedure
    .input(z.object({ jobId: objectIdSchema }))
    .mutation(({ ctx, input }) => cancelBacktest(ctx.db, ctx.user, input.jobId, ctx.now())),

  // ---- shadow mode -----------------------------------------------------------------------------
  shadowCompare: adminProcedure
    .input(z.object({ window: windowSchema, version: z.number().int().min(0).optional() }))
    .query(({ ctx, input }) => compareShadow(ctx.db, { ...resolveWindow(input.window, ctx.now()), version: input.version })),

  // ---- review queue ----------------------------------------------------------------------------
  reviewQueue: adminProcedure
    .input(
      z.object({
        verdict: verdictSchema.optional(),
        status: z.enum(['unlabeled', 'labeled', 'all']).default('unlabeled'),
        siteId: siteIdSchema.optional(),
        cursor: z.string().max(200).nullish(),
        limit: z.number().int().min(1).max(REVIEW_PAGE_MAX).default(25),
      }),
    )
    .query(({ ctx, input }) =>
      reviewQueue(ctx.db, { verdict: input.verdict, status: input.status, siteId: input.siteId }, { cursor: input.cursor, limit: input.limit }),
    ),

  label: adminProcedure
    .input(z.object({ eventId: objectIdSchema, value: z.enum(['fraud', 'legit']).nullable() }))
    .mutation(({ ctx, input }) => labelEvent(ctx.db, ctx.user, input.eventId, input.value, ctx.now())),

  metrics: adminProcedure
    .input(z.object({ includeSuspect: z.boolean().default(false) }))
    .query(async ({ ctx, input }) => ({ definition: METRICS_DEFINITION, ...(await reviewMetrics(ctx.db, input.includeSuspect)) })),

  // ---- audit log -------------------------------------------------------------------------------
  auditLog: adminProcedure
    .input(
      z.object({
        action: z.string().trim().max(80).optional(),
        actorEmail: z.string().trim().max(254).optional(),
        from: z.iso.datetime().optional(),
        to: z.iso.datetime().optional(),
        cursor: z.string().max(200).nullish(),
        limit: z.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
      }),
    )
    .query(({ ctx, input }) =>
      listAudit(
        ctx.db,
        {
          action: input.action || undefined,
          actorEmail: input.actorEmail || undefined,
          from: input.from ? new Date(input.from) : undefined,
          to: input.to ? new Date(input.to) : undefined,
        },
        { cursor: input.cursor, limit: input.limit },
      ),
    ),

  auditActions: adminProcedure.query(({ ctx }) => listAuditActions(ctx.db)),
});
