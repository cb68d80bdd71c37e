import { invalidateSession } from '@tagward/auth';
import type { Context } from '../context.js';
import type { LoginOutcomeDto } from '../dto.js';
import type { AuthResult } from '../services/login.js';

/**
 * Turns a login step's result into the answer: with a session, the cookie is set and any session
 * the request came with ends (logging in always starts a fresh session id).
 */
export async function answerLogin(ctx: Context, result: AuthResult): Promise<LoginOutcomeDto> {
  if (result.kind === 'session') {
    if (ctx.session) await invalidateSession(ctx.db, ctx.session.id);
    ctx.cookies.set(result.token, result.session.expiresAt);
    return { status: 'logged_in', user: result.user };
  }
  if (result.kind === 'second_factor') return { status: 'second_factor', ticket: result.ticket };
  return { status: 'link_sent' };
}
