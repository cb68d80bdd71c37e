import { z } from 'zod';
import { TRPCError } from '@trpc/server';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, createSession, invalidateSession, invalidateUserSessions } from '@tagward/auth';
import { protectedProcedure, publicProcedure, router } from '../trpc.js';
import { changePassword, createUser, logIn } from '../services/accounts.js';
import type { UserDto } from '../dto.js';

const emailSchema = z.email('Enter a valid email address.').max(254).transform((e) => e.trim().toLowerCase());
const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
// Login accepts any length up to the cap: the rule for new passwords may have changed since.
const passwordSchema = z.string().min(1, 'Enter your password.').max(PASSWORD_MAX_LENGTH);

export const authRouter = router({
  me: publicProcedure.query(({ ctx }): { user: UserDto | null } => ({
    user: ctx.user ? { id: ctx.user.id, email: ctx.user.email, role: ctx.user.role } : null,
  })),

  signUp: publicProcedure
    .input(z.object({ email: emailSchema, password: newPasswordSchema }))
    .mutation(async ({ ctx, input }): Promise<{ user: UserDto }> => {
      if (!ctx.config.signupOpen) throw new TRPCError({ code: 'FORBIDDEN', message: 'Sign-up is closed on this server.' });
      const user = await createUser(ctx.db, input);
      if (ctx.session) await invalidateSession(ctx.db, ctx.session.id);
      const { token, session } = await createSession(ctx.db, user.id, ctx.now());
      ctx.cookies.set(token, session.expiresAt);
      return { user };
    }),

  logIn: publicProcedure
    .input(z.object({ email: emailSchema, password: passwordSchema }))
    .mutation(async ({ ctx, input }): Promise<{ user: UserDto }> => {
      const result = await logIn(ctx.db, ctx.services.loginThrottle, { ...input, ip: ctx.request.ip }, ctx.now());
      // A session that came with the request (another account, or a planted one) ends here:
      // logging in always starts a fresh session id.
      if (ctx.session) await invalidateSession(ctx.db, ctx.session.id);
      ctx.cookies.set(result.token, result.session.expiresAt);
      return { user: result.user };
    }),

  logOut: publicProcedure.mutation(async ({ ctx }): Promise<{ ok: true }> => {
    if (ctx.session) await invalidateSession(ctx.db, ctx.session.id);
    ctx.cookies.clear();
    return { ok: true };
  }),

  logOutEverywhere: protectedProcedure.mutation(async ({ ctx }): Promise<{ ended: number }> => {
    const ended = await invalidateUserSessions(ctx.db, ctx.user.id);
    ctx.cookies.clear();
    return { ended };
  }),

  changePassword: protectedProcedure
    .input(z.object({ currentPassword: passwordSchema, newPassword: newPasswordSchema }))
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      const { token, session } = await changePassword(
        ctx.db,
        ctx.services.loginThrottle,
        { ...input, userId: ctx.user.id, sessionId: ctx.session.id, ip: ctx.request.ip },
        ctx.now(),
      );
      ctx.cookies.set(token, session.expiresAt);
      return { ok: true };
    }),
});
