import { TRPCError } from '@trpc/server';
import type { Database } from '@tagward/db';
import {
  createSession,
  hashPassword,
  invalidateSession,
  invalidateUserSessions,
  verifyPassword,
  verifyPasswordAgainstNothing,
  type LoginThrottle,
  type SessionRecord,
} from '@tagward/auth';
import type { UserDto } from '../dto.js';
import { badRequest, conflict, isDuplicateKeyError } from './errors.js';

/** One message for an unknown email and a wrong password: the form must not reveal which. */
export const LOGIN_FAILED_MESSAGE = 'Incorrect email or password.';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

function toUserDto(user: { _id: unknown; email: string; role?: string | null }): UserDto {
  return { id: String(user._id), email: user.email, role: user.role === 'admin' ? 'admin' : 'user' };
}

function throttled(retryAfterSeconds: number): TRPCError {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  });
}

/** Creates an account. Used by sign-up, and by operators/demo seeding with a role. */
export async function createUser(
  db: Database,
  input: { email: string; password: string; role?: 'user' | 'admin' },
): Promise<UserDto> {
  const email = normalizeEmail(input.email);
  if (input.password.toLowerCase() === email) throw badRequest('Choose a password that is not your email address.');
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.models.User.create({ email, passwordHash, role: input.role ?? 'user' });
    return toUserDto(user);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw conflict('An account already uses this email. Log in instead.');
    throw error;
  }
}

export interface LoginResult {
  user: UserDto;
  token: string;
  session: SessionRecord;
}

export async function logIn(
  db: Database,
  throttle: LoginThrottle,
  input: { email: string; password: string; ip: string },
  now: Date,
): Promise<LoginResult> {
  const email = normalizeEmail(input.email);
  const decision = await throttle.attempt(email, input.ip, now);
  if (!decision.allowed) throw throttled(decision.retryAfterSeconds);

  const user = await db.models.User.findOne({ email }, { email: 1, role: 1, passwordHash: 1 }).lean();
  // The unknown-email branch spends the same argon2 time, so timing does not tell them apart.
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : await verifyPasswordAgainstNothing(input.password);
  if (!user || !ok) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: LOGIN_FAILED_MESSAGE });
  }
  await throttle.recordSuccess(email, input.ip, decision, now);
  const { token, session } = await createSession(db, String(user._id), now);
  return { user: toUserDto(user), token, session };
}

/**
 * Changes the password, ends every other session (whoever else was logged in is out) and
 * replaces the current session with a new one, so a stolen cookie dies with the old password.
 */
export async function changePassword(
  db: Database,
  throttle: LoginThrottle,
  input: { userId: string; sessionId: string; currentPassword: string; newPassword: string; ip: string },
  now: Date,
): Promise<{ token: string; session: SessionRecord }> {
  const user = await db.models.User.findById(input.userId, { email: 1, passwordHash: 1 }).lean();
  if (!user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Please log in.' });
  // The current-password check is a password guess like a login: same throttle.
  const decision = await throttle.attempt(user.email, input.ip, now);
  if (!decision.allowed) throw throttled(decision.retryAfterSeconds);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    throw badRequest('The current password is not correct.');
  }
  await throttle.recordSuccess(user.email, input.ip, decision, now);
  if (input.newPassword.toLowerCase() === user.email) throw badRequest('Choose a password that is not your email address.');
  if (input.newPassword === input.currentPassword) throw badRequest('The new password must differ from the current one.');
  await db.models.User.updateOne({ _id: user._id }, { $set: { passwordHash: await hashPassword(input.newPassword) } });
  await invalidateUserSessions(db, input.userId, { except: input.sessionId });
  await invalidateSession(db, input.sessionId);
  return createSession(db, input.userId, now);
}
