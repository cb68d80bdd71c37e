import {
  createSession,
  hashRecoveryCode,
  markReauthenticated,
  sha256Hex,
  verifyPassword,
  verifyPasswordAgainstNothing,
  verifyTotp,
  type SessionRecord,
} from '@tagward/auth';
import type { UserDto } from '../dto.js';
import { accountDeps, normalizeEmail, toUserDto, type AccountDeps, type UserRow } from './account-deps.js';
import { audit } from './audit.js';
import { consumeToken, issueToken, linkTo } from './auth-tokens.js';
import { badRequest, ServiceError, tooManyAttempts, unauthorized } from './errors.js';
import { loginLinkMail, securityNoticeMail } from '../mail/templates.js';
import { openTotpKey } from './totp-seal.js';

export { accountDeps };

/** One message for an unknown email and a wrong password: the form must not reveal which. */
export const LOGIN_FAILED_MESSAGE = 'Incorrect email or password.';
/** Wrong codes one second-factor step takes before the login has to start again. */
export const SECOND_FACTOR_ATTEMPTS = 5;

export type AuthResult =
  | { kind: 'session'; user: UserDto; token: string; session: SessionRecord }
  | { kind: 'second_factor'; ticket: string }
  | { kind: 'link_sent' };

const USER_FIELDS = { email: 1, role: 1, passwordHash: 1, emailVerifiedAt: 1, totp: 1, totpPendingEnc: 1, recoveryCodeHashes: 1 } as const;

export async function findUserByEmail(deps: AccountDeps, email: string): Promise<UserRow | null> {
  return (await deps.db.models.User.findOne({ email: normalizeEmail(email) }, USER_FIELDS).lean()) as UserRow | null;
}

export async function findUserById(deps: AccountDeps, id: unknown): Promise<UserRow | null> {
  return (await deps.db.models.User.findById(id, USER_FIELDS).lean()) as UserRow | null;
}

/** A new session for `user`; its address is remembered as one the account logs in from. */
export async function startSession(deps: AccountDeps, user: UserRow): Promise<AuthResult> {
  const { token, session } = await createSession(deps.db, String(user._id), deps.now, deps.services.sessionLifetime);
  await deps.services.loginThrottle.rememberAddress(user.email, deps.ip, deps.now);
  return { kind: 'session', user: toUserDto(user), token, session };
}

/** The first factor (password, or a mailed link) is done: a session, or the second-factor step. */
export async function finishFirstFactor(deps: AccountDeps, user: UserRow): Promise<AuthResult> {
  if (!user.totp?.enabledAt) return startSession(deps, user);
  return { kind: 'second_factor', ticket: await issueToken(deps.db, 'second_factor', user, deps.now) };
}

/**
 * Password login. Throttled per account+address pair and per address; when the account is under
 * attack, an address it never logged in from gets "we mailed you a link" whether or not the
 * password was right (the link goes out only when it was), so a guess that happens to be right
 * neither logs in nor tells the guesser so. The unknown-email branch spends the same argon2
 * time and follows the same paths.
 */
export async function logIn(deps: AccountDeps, input: { email: string; password: string }): Promise<AuthResult> {
  const email = normalizeEmail(input.email);
  const attempt = await deps.services.loginThrottle.attempt(email, deps.ip, deps.now);
  if (!attempt.allowed) throw tooManyAttempts(attempt.retryAfterSeconds);

  const user = await findUserByEmail(deps, email);
  const ok = user ? await verifyPassword(user.passwordHash, input.password) : await verifyPasswordAgainstNothing(input.password);
  const throttle = deps.services.loginThrottle;
  const needsLink = (await throttle.underAttack(attempt, deps.now)) && !(await throttle.isKnownAddress(attempt));

  if (!user || !ok) {
    await throttle.failed(attempt, deps.now);
    if (needsLink) return { kind: 'link_sent' };
    throw new ServiceError('UNAUTHORIZED', LOGIN_FAILED_MESSAGE);
  }
  await throttle.succeeded(attempt);
  if (needsLink) {
    const token = await issueToken(deps.db, 'login_link', user, deps.now);
    deps.services.mailer.sendInBackground(loginLinkMail(user.email, linkTo(deps.config.publicUrl, '/login-link', token)));
    return { kind: 'link_sent' };
  }
  return finishFirstFactor(deps, user);
}

/** The mailed sign-in link: proof of the mailbox, after a right password from a new address. */
export async function logInWithLink(deps: AccountDeps, token: string): Promise<AuthResult> {
  const row = await consumeToken(deps.db, 'login_link', token, deps.now);
  const user = row ? await findUserById(deps, row.userId) : null;
  if (!row || !user || user.email !== row.email) throw badRequest('This sign-in link is used up or expired. Log in again.');
  return finishFirstFactor(deps, user);
}

/** Checks a TOTP code or a recovery code of `user`, using it up; false when it is not right. */
export async function checkSecondFactor(deps: AccountDeps, user: UserRow, input: { code?: string; recoveryCode?: string }): Promise<boolean> {
  if (!user.totp?.enabledAt) return false;
  if (input.recoveryCode) {
    const hash = hashRecoveryCode(input.recoveryCode);
    // The pull is the use: of two requests with one code, one matches.
    const used = await deps.db.models.User.updateOne({ _id: user._id, recoveryCodeHashes: hash }, { $pull: { recoveryCodeHashes: hash } });
    if (used.modifiedCount !== 1) return false;
    await audit(deps.db, { actorId: String(user._id), action: 'account.recovery_code_used', target: `user:${String(user._id)}`, at: deps.now });
    deps.services.mailer.sendInBackground(securityNoticeMail(user.email, 'a recovery code was used to log in', `${deps.config.publicUrl}/login`));
    return true;
  }
  const key = openTotpKey(user.totp.keyEnc, String(user._id), deps.config.masterKey);
  const step = verifyTotp(key, input.code ?? '', deps.now, user.totp.lastStep ?? 0);
  if (step === null) return false;
  // Compare-and-set on the last step: the same code sent twice at once is accepted once.
  const claimed = await deps.db.models.User.updateOne(
    { _id: user._id, 'totp.lastStep': { $lt: step } },
    { $set: { 'totp.lastStep': step } },
  );
  return claimed.modifiedCount === 1;
}

/** The second step of a login with two-factor: the ticket from the first step and a code. */
export async function logInSecondFactor(deps: AccountDeps, input: { ticket: string; code?: string; recoveryCode?: string }): Promise<AuthResult> {
  const ticketId = sha256Hex(input.ticket);
  const row = await deps.db.models.AuthToken.findOneAndUpdate(
    { _id: ticketId, purpose: 'second_factor', expiresAt: { $gt: deps.now }, attempts: { $lt: SECOND_FACTOR_ATTEMPTS } },
    { $inc: { attempts: 1 } },
    { returnDocument: 'after' },
  ).lean();
  const expired = () => badRequest('This login has expired. Enter your email and password again.');
  if (!row) throw expired();
  const user = await findUserById(deps, row.userId);
  if (!user) throw expired();
  const attempt = await deps.services.secondFactorThrottle.attempt(String(user._id), deps.ip, deps.now);
  if (!attempt.allowed) throw tooManyAttempts(attempt.retryAfterSeconds);
  if (!(await checkSecondFactor(deps, user, input))) {
    await deps.services.secondFactorThrottle.failed(attempt, deps.now);
    if (row.attempts >= SECOND_FACTOR_ATTEMPTS) await deps.db.models.AuthToken.deleteOne({ _id: ticketId });
    throw new ServiceError('UNAUTHORIZED', 'That code is not right.');
  }
  await deps.services.secondFactorThrottle.succeeded(attempt);
  // Deleting the ticket is its use: a second request with it finds nothing.
  const used = await deps.db.models.AuthToken.deleteOne({ _id: ticketId });
  if (used.deletedCount !== 1) throw expired();
  return startSession(deps, user);
}

/**
 * Re-authentication for sensitive actions: the password, or (with two-factor on) a code. The
 * same throttles as a login apply, so it is no side door for guessing.
 */
export async function reauthenticate(
  deps: AccountDeps,
  input: { userId: string; sessionId: string; password?: string; code?: string },
): Promise<void> {
  const user = await findUserById(deps, input.userId);
  if (!user) throw unauthorized();
  const viaCode = !input.password && Boolean(input.code);
  const throttle = viaCode ? deps.services.secondFactorThrottle : deps.services.loginThrottle;
  const attempt = await throttle.attempt(viaCode ? String(user._id) : user.email, deps.ip, deps.now);
  if (!attempt.allowed) throw tooManyAttempts(attempt.retryAfterSeconds);
  const ok = viaCode ? await checkSecondFactor(deps, user, { code: input.code }) : await verifyPassword(user.passwordHash, input.password ?? '');
  if (!ok) {
    await throttle.failed(attempt, deps.now);
    throw badRequest(viaCode ? 'That code is not right.' : 'That password is not right.');
  }
  await throttle.succeeded(attempt);
  await markReauthenticated(deps.db, input.sessionId, deps.now);
}
