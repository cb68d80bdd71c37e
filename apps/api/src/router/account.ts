import { z } from 'zod';
import { protectedProcedure, requireRecentAuth, router } from '../trpc.js';
import { accountDeps } from '../services/login.js';
import { deleteAccount, deletionPlan } from '../services/account-deletion.js';

const objectId = z.string().regex(/^[a-f0-9]{24}$/, 'Not an id.');

/** The logged-in account as a whole: what deleting it would do, and deleting it. */
export const accountRouter = router({
  deletionPlan: protectedProcedure.query(({ ctx }) => deletionPlan(accountDeps(ctx), ctx.user.id)),
  delete: protectedProcedure
    .use(requireRecentAuth)
    .input(
      z.object({
        confirmEmail: z.string().max(254),
        decisions: z
          .array(z.union([z.object({ siteId: objectId, action: z.literal('transfer'), toUserId: objectId }), z.object({ siteId: objectId, action: z.literal('delete') })]))
          .max(500),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await deleteAccount(accountDeps(ctx), { userId: ctx.user.id, ...input });
      ctx.cookies.clear();
      return result;
    }),
});
