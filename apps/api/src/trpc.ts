import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import type { Context } from './context.js';

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
      data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, zodError },
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

export const publicProcedure = t.procedure.use(csrfGuard);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user || !ctx.session) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please log in.' });
  }
  return next({ ctx: { ...ctx, user: ctx.user, session: ctx.session } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.user.role !== 'admin') {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Platform administrators only.' });
  }
  return next();
});
