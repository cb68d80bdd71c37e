import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context.js';
import { ServiceError, appError, type AppCode } from './services/errors.js';

/** Carries a service error's `appCode` on the `TRPCError` it becomes, for the error formatter. */
class AppCodeCause extends Error {
  constructor(readonly appCode: AppCode) {
    super(appCode);
  }
}

/** A service's domain error as tRPC's: same code and message; the appCode or the cause kept. */
function toTRPCError(error: ServiceError): TRPCError {
  return new TRPCError({ code: error.code, message: error.message, cause: error.appCode ? new AppCodeCause(error.appCode) : error.cause });
}

/**
 * tRPC is initialised here and only here. Every procedure starts from `publicProcedure`, which
 * carries the CSRF guard, so no mutation can forget it.
 */
const t = initTRPC.context<Context>().create({
  // Stack traces never leave the server, whatever NODE_ENV says.
  isDev: false,
  errorFormatter({ shape, error }) {
    const zodError = error.code === 'BAD_REQUEST' && error.cause instanceof ZodError ? z.flattenError(error.cause) : null;
    return {
      ...shape,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        zodError,
        appCode: error.cause instanceof AppCodeCause ? error.cause.appCode : null,
      },
    };
  },
});

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;

/**
 * Refuses state-changing calls whose Origin / Sec-Fetch-Site say they come from another site.
 * Queries are reads and run as GET, so a forged one can only fetch data the attacker cannot read.
 */
const csrfGuard = t.middleware(({ ctx, type, next }) => {
  if (type === 'mutation' && !ctx.request.originCheck.ok) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `Cross-site request refused (${ctx.request.originCheck.reason}).`,
    });
  }
  return next();
});

/**
 * Outermost on every procedure: services (and the middlewares below) throw `ServiceError`s; tRPC
 * wraps anything it does not know as INTERNAL_SERVER_ERROR with the original as its cause, so
 * that is unwrapped here into the error the client should see.
 */
const serviceErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof ServiceError) throw toTRPCError(result.error.cause);
  return result;
});

export const publicProcedure = t.procedure.use(serviceErrors).use(csrfGuard);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please log in.' });
  }
  return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
});

/** Platform admins, who must have two-factor on: their account can change every site's scoring. */
export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Platform administrators only.' });
  }
  if (!ctx.user.twoFactor) {
    throw appError('FORBIDDEN', 'two_factor_required', 'Platform administrators must turn on two-factor authentication first (Account page).');
  }
  return next();
});

/** How long after proving who they are someone may do sensitive things without being asked again. */
export const REAUTH_WINDOW_MS = 10 * 60 * 1000;

/**
 * For sensitive actions (secret keys, members, turning two-factor off, deleting the account): the
 * session must have proved its owner recently (logged in, or re-authenticated with a password or
 * code). A stolen session cookie alone cannot do them.
 */
export const requireRecentAuth = t.middleware(({ ctx, next }) => {
  const reauthAt = ctx.session?.reauthAt.getTime() ?? 0;
  if (ctx.now().getTime() - reauthAt > REAUTH_WINDOW_MS) {
    throw appError('FORBIDDEN', 'reauth_required', 'Confirm it is you: enter your password or a two-factor code.');
  }
  return next();
});

/** Actions an account with an unverified email may not take (docs/accounts.md: the rule). */
export const requireVerifiedEmail = t.middleware(({ ctx, next }) => {
  if (!ctx.user?.emailVerified) {
    throw appError('FORBIDDEN', 'email_unverified', 'Confirm your email address first: use the link we mailed you (Account page: send it again).');
  }
  return next();
});
