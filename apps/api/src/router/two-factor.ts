import { z } from 'zod';
import { protectedProcedure, requireRecentAuth, router } from '../trpc.js';
import { accountDeps } from '../services/login.js';
import { beginTwoFactor, confirmTwoFactor, disableTwoFactor, regenerateRecoveryCodes, twoFactorStatus } from '../services/two-factor.js';

/** Two-factor (TOTP and recovery codes) of the logged-in account. */
export const twoFactorRouter = router({
  status: protectedProcedure.query(({ ctx }) => twoFactorStatus(accountDeps(ctx), ctx.user.id)),
  begin: protectedProcedure.mutation(({ ctx }) => beginTwoFactor(accountDeps(ctx), ctx.user.id)),
  confirm: protectedProcedure
    .input(z.object({ code: z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code from your app.') }))
    .mutation(({ ctx, input }) => confirmTwoFactor(accountDeps(ctx), ctx.user.id, input.code)),
  disable: protectedProcedure.use(requireRecentAuth).mutation(({ ctx }) => disableTwoFactor(accountDeps(ctx), ctx.user.id)),
  regenerateRecoveryCodes: protectedProcedure.use(requireRecentAuth).mutation(({ ctx }) => regenerateRecoveryCodes(accountDeps(ctx), ctx.user.id)),
});
