import { createSession, hashPassword, invalidateUserSessions, verifyPassword, type SessionRecord } from '@tagward/auth';
import { resetPasswordMail, resetUnknownMail, securityNoticeMail } from '../mail/templates.js';
import { mailQuietly, normalizeEmail, type AccountDeps } from './account-deps.js';
import { checkNewPassword } from './accounts.js';
import { audit } from './audit.js';
import { consumeToken, issueToken, linkTo } from './auth-tokens.js';
import { appError, badRequest, tooManyAttempts, unauthorized } from './errors.js';
import { findUserById, finishFirstFactor, type AuthResult } from './login.js';

/**
 * "Forgot my password": the screen always says "check your inbox"; the mail says either "here is
 * a link" or "no account uses this address". Limited per client address, and per recipient.
 */
export async function requestPasswordReset(deps: AccountDeps, input: { email: string }): Promise<{ status: 'check_email' }> {
  if (!(await deps.services.mailRequestsPerAddress.consume(deps.ip, deps.now))) {
    throw appError('TOO_MANY_REQUESTS', 'throttled', 'Too many requests from your address in the last hour. Try again later.');
  }
  const email = normalizeEmail(input.email);
  const user = await deps.db.models.User.findOne({ email }, { email: 1 }).lean();
  if (user) {
    const token = await issueToken(deps.db, 'reset_password', user, deps.now);
    await mailQuietly(deps, resetPasswordMail(email, linkTo(deps.config.publicUrl, '/reset-password/new', token)));
  } else {
    await mailQuietly(deps, resetUnknownMail(email, `${deps.config.publicUrl}/signup`));
  }
  return { status: 'check_email' };
}

/**
 * Sets a new password from a reset link. Every session of the account ends (an attacker's
 * included), every other reset link dies, and the address counts as verified: the link was
 * mailed to it. Then the usual login follows (second factor included).
 */
export async function resetPassword(deps: AccountDeps, input: { token: string; newPassword: string }): Promise<AuthResult> {
  const row = await consumeToken(deps.db, 'reset_password', input.token, deps.now);
  const user = row ? await findUserById(deps, row.userId) : null;
  if (!row || !user || user.email !== row.email) throw badRequest('This reset link is used up or expired. Ask for a new one.');
  checkNewPassword(input.newPassword, user.email);
  const passwordHash = await hashPassword(input.newPassword);
  await deps.db.models.User.updateOne({ _id: user._id }, { $set: { passwordHash, emailVerifiedAt: user.emailVerifiedAt ?? deps.now } });
  const ended = await invalidateUserSessions(deps.db, String(user._id));
  await deps.db.models.AuthToken.deleteMany({ userId: user._id, purpose: 'reset_password' });
  await audit(deps.db, { actorId: String(user._id), action: 'account.password_reset', target: `user:${String(user._id)}`, after: { sessionsEnded: ended }, at: deps.now });
  deps.services.mailer.sendInBackground(securityNoticeMail(user.email, 'your password was reset and every session was logged out', `${deps.config.publicUrl}/login`));
  return finishFirstFactor(deps, { ...user, emailVerifiedAt: user.emailVerifiedAt ?? deps.now });
}

/**
 * Changes the password, ends every session (whoever else was logged in is out) and replaces the
 * current one with a new one, so a stolen cookie dies with the old password.
 */
export async function changePassword(
  deps: AccountDeps,
  input: { userId: string; currentPassword: string; newPassword: string },
): Promise<{ token: string; session: SessionRecord }> {
  const user = await findUserById(deps, input.userId);
  if (!user) throw unauthorized();
  // The current-password check is a password guess like a login: same throttle.
  const attempt = await deps.services.loginThrottle.attempt(user.email, deps.ip, deps.now);
  if (!attempt.allowed) throw tooManyAttempts(attempt.retryAfterSeconds);
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await deps.services.loginThrottle.failed(attempt, deps.now);
    throw badRequest('The current password is not correct.');
  }
  await deps.services.loginThrottle.succeeded(attempt);
  checkNewPassword(input.newPassword, user.email);
  if (input.newPassword === input.currentPassword) throw badRequest('The new password must differ from the current one.');
  await deps.db.models.User.updateOne({ _id: user._id }, { $set: { passwordHash: await hashPassword(input.newPassword) } });
  const ended = await invalidateUserSessions(deps.db, input.userId);
  await audit(deps.db, { actorId: input.userId, action: 'account.password_change', target: `user:${input.userId}`, after: { sessionsEnded: ended }, at: deps.now });
  deps.services.mailer.sendInBackground(securityNoticeMail(user.email, 'your password was changed and other sessions were logged out', `${deps.config.publicUrl}/login`));
  return createSession(deps.db, input.userId, deps.now, deps.services.sessionLifetime);
}
