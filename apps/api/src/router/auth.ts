import { z } from 'zod';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, invalidateSession, invalidateUserSessions } from '@tagward/auth';
import { protectedProcedure, publicProcedure, router } from '../trpc.js';
import { resendVerification, signUp, verifyEmail } from '../services/accounts.js';
import { accountDeps, logIn, logInSecondFactor, logInWithLink, reauthenticate } from '../services/login.js';
import { changePassword, requestPasswordReset, resetPassword } from '../services/passwords.js';
import type { LoginOutcomeDto, UserDto } from '../dto.js';
import { answerLogin } from './auth-answer.js';

export const emailSchema = z.email('Enter a valid email address.').max(254).transform((e) => e.trim().toLowerCase());
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);
// Login accepts any length up to the cap: the rule for new passwords may have changed since.
const passwordSchema = z.string().min(1, 'Enter your password.').max(PASSWORD_MAX_LENGTH);
/** Tokens from mailed links and login steps: 48 characters of our alphabet. */
export const tokenSchema = z.string().regex(/^[a-z2-9]{48}$/, 'This link is not complete. Copy the whole link from the mail.');
const codeSchema = z.string().trim().regex(/^\d{6}$/, 'Enter the 6-digit code from your app.');
const recoveryCodeSchema = z.string().trim().min(16, 'Enter a whole recovery code.').max(40);

export const authRouter = router({
  me: publicProcedure.query(({ ctx }): { user: UserDto | null } => ({
    user: ctx.user
      ? { id: ctx.user.id, email: ctx.user.email, role: ctx.user.role, emailVerified: ctx.user.emailVerified, twoFactor: ctx.user.twoFactor }
      : null,
  })),

  /** Always "check your inbox": the mail, not the screen, says whether the account is new. */
  signUp: publicProcedure
    .input(z.object({ email: emailSchema, password: newPasswordSchema }))
    .mutation(({ ctx, input }) => signUp(accountDeps(ctx), input)),

  verifyEmail: publicProcedure
    .input(z.object({ token: tokenSchema }))
    .mutation(async ({ ctx, input }): Promise<LoginOutcomeDto> => answerLogin(ctx, await verifyEmail(accountDeps(ctx), input.token))),

  resendVerification: protectedProcedure.mutation(({ ctx }) => resendVerification(accountDeps(ctx), ctx.user.id)),

  logIn: publicProcedure
    .input(z.object({ email: emailSchema, password: passwordSchema }))
    .mutation(async ({ ctx, input }): Promise<LoginOutcomeDto> => answerLogin(ctx, await logIn(accountDeps(ctx), input))),

  logInSecondFactor: publicProcedure
    .input(z.union([z.object({ ticket: tokenSchema, code: codeSchema }), z.object({ ticket: tokenSchema, recoveryCode: recoveryCodeSchema })]))
    .mutation(async ({ ctx, input }): Promise<LoginOutcomeDto> => answerLogin(ctx, await logInSecondFactor(accountDeps(ctx), input))),

  logInWithLink: publicProcedure
    .input(z.object({ token: tokenSchema }))
    .mutation(async ({ ctx, input }): Promise<LoginOutcomeDto> => answerLogin(ctx, await logInWithLink(accountDeps(ctx), input.token))),

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
      const { token, session } = await changePassword(accountDeps(ctx), { ...input, userId: ctx.user.id });
      ctx.cookies.set(token, session.expiresAt);
      return { ok: true };
    }),

  /** Always "check your inbox", for an address with an account or without. */
  requestPasswordReset: publicProcedure
    .input(z.object({ email: emailSchema }))
    .mutation(({ ctx, input }) => requestPasswordReset(accountDeps(ctx), input)),

  resetPassword: publicProcedure
    .input(z.object({ token: tokenSchema, newPassword: newPasswordSchema }))
    .mutation(async ({ ctx, input }): Promise<LoginOutcomeDto> => answerLogin(ctx, await resetPassword(accountDeps(ctx), input))),

  /** Proves it is still the owner (password, or a two-factor code) before a sensitive action. */
  reauthenticate: protectedProcedure
    .input(z.union([z.object({ password: passwordSchema }), z.object({ code: codeSchema })]))
    .mutation(async ({ ctx, input }): Promise<{ ok: true }> => {
      await reauthenticate(accountDeps(ctx), { userId: ctx.user.id, sessionId: ctx.session.id, ...input });
      return { ok: true };
    }),
});
