import { z } from 'zod';
import { protectedProcedure, publicProcedure, requireRecentAuth, router } from '../trpc.js';
import { siteOwnerProcedure } from '../site-procedures.js';
import { accountDeps } from '../services/login.js';
import { acceptInvitation, acceptInvitationWithSignUp, inviteMember, listInvitations, previewInvitation, revokeInvitation } from '../services/invitations.js';
import { emailSchema, newPasswordSchema, tokenSchema } from './auth.js';
import { answerLogin } from './auth-answer.js';

/** Site membership by invitation (services/invitations.ts). */
export const invitationsRouter = router({
  list: siteOwnerProcedure.query(({ ctx }) => listInvitations(accountDeps(ctx), ctx.site)),

  create: siteOwnerProcedure
    .use(requireRecentAuth)
    .input(z.object({ email: emailSchema, role: z.enum(['owner', 'viewer']) }))
    .mutation(({ ctx, input }) => inviteMember(accountDeps(ctx), ctx.site, ctx.user, input)),

  revoke: siteOwnerProcedure
    .use(requireRecentAuth)
    .input(z.object({ invitationId: z.string().regex(/^[a-f0-9]{24}$/, 'Not an invitation id.') }))
    .mutation(({ ctx, input }) => revokeInvitation(accountDeps(ctx), ctx.site, ctx.user, input.invitationId)),

  /** For the holder of the link only: which site, which role, and whether the address has an account. */
  preview: publicProcedure.input(z.object({ token: tokenSchema })).query(({ ctx, input }) => previewInvitation(accountDeps(ctx), input.token)),

  accept: protectedProcedure
    .input(z.object({ token: tokenSchema }))
    .mutation(({ ctx, input }) => acceptInvitation(accountDeps(ctx), input.token, ctx.user.id)),

  acceptWithSignUp: publicProcedure
    .input(z.object({ token: tokenSchema, password: newPasswordSchema }))
    .mutation(async ({ ctx, input }) => {
      const result = await acceptInvitationWithSignUp(accountDeps(ctx), input);
      return { ...(await answerLogin(ctx, result)), siteId: result.siteId };
    }),
});
