import { hashPassword, networkOf } from '@tagward/auth';
import type { Types } from 'mongoose';
import type { Database } from '@tagward/db';
import type { UserDto } from '../dto.js';
import { signUpExistingMail, verifyEmailMail } from '../mail/templates.js';
import { mailQuietly, normalizeEmail, toUserDto, type AccountDeps } from './account-deps.js';
import { audit } from './audit.js';
import { consumeToken, issueToken, linkTo } from './auth-tokens.js';
import { appError, badRequest, conflict, isDuplicateKeyError, ServiceError, unauthorized } from './errors.js';
import { findUserById, finishFirstFactor, type AuthResult } from './login.js';

export { normalizeEmail };
export { LOGIN_FAILED_MESSAGE } from './login.js';

export function checkNewPassword(password: string, email: string): void {
  if (password.toLowerCase() === normalizeEmail(email)) throw badRequest('Choose a password that is not your email address.');
}

/**
 * Creates an account directly, for operators and the demo seed (`verified`: the operator vouches
 * for the address). People sign up with `signUp`.
 */
export async function createUser(
  db: Database,
  input: { email: string; password: string; role?: 'user' | 'admin'; verified?: boolean; now?: Date },
): Promise<UserDto> {
  const email = normalizeEmail(input.email);
  checkNewPassword(input.password, email);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await db.models.User.create({
      email,
      passwordHash,
      role: input.role ?? 'user',
      emailVerifiedAt: input.verified ? (input.now ?? new Date()) : null,
    });
    return toUserDto(user);
  } catch (error) {
    if (isDuplicateKeyError(error)) throw conflict('An account already uses this email.');
    throw error;
  }
}

/** Sign-ups from one address and one network per hour; refused past either. */
export async function checkSignUpAllowed(deps: AccountDeps): Promise<void> {
  const [address, network] = await Promise.all([
    deps.services.signupPerAddress.consume(deps.ip, deps.now),
    deps.services.signupPerNetwork.consume(networkOf(deps.ip), deps.now),
  ]);
  if (!address || !network) {
    throw appError('TOO_MANY_REQUESTS', 'signup_throttled', 'Too many sign-ups from your network in the last hour. Try again later.');
  }
}

export async function sendVerification(deps: AccountDeps, user: { _id: Types.ObjectId; email: string }): Promise<void> {
  const token = await issueToken(deps.db, 'verify_email', user, deps.now);
  await mailQuietly(deps, verifyEmailMail(user.email, linkTo(deps.config.publicUrl, '/verify-email', token)));
}

/**
 * Sign-up answers the same whether the address is new or already has an account, and logs
 * nobody in: the mail says what happened. A new account gets a link that confirms the address
 * and logs in; an existing one gets "you already have an account" and a link to set a new
 * password (which is how the real owner takes back an address someone registered first). Both
 * branches spend one argon2 hash, so the time does not tell them apart either.
 */
export async function signUp(deps: AccountDeps, input: { email: string; password: string }): Promise<{ status: 'check_email' }> {
  if (!deps.config.signupOpen) throw new ServiceError('FORBIDDEN', 'Sign-up is closed on this server.');
  const email = normalizeEmail(input.email);
  checkNewPassword(input.password, email);
  await checkSignUpAllowed(deps);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await deps.db.models.User.create({ email, passwordHash, role: 'user', emailVerifiedAt: null });
    await audit(deps.db, { actorId: String(user._id), action: 'account.signup', target: `user:${String(user._id)}`, at: deps.now });
    await sendVerification(deps, user);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await deps.db.models.User.findOne({ email }, { email: 1 }).lean();
    if (existing) {
      const token = await issueToken(deps.db, 'reset_password', existing, deps.now);
      await mailQuietly(deps, signUpExistingMail(email, linkTo(deps.config.publicUrl, '/reset-password/new', token), `${deps.config.publicUrl}/login`));
    }
  }
  return { status: 'check_email' };
}

/** The link from the verification mail: the address is proven, and its owner logged in. */
export async function verifyEmail(deps: AccountDeps, token: string): Promise<AuthResult> {
  const row = await consumeToken(deps.db, 'verify_email', token, deps.now);
  const user = row ? await findUserById(deps, row.userId) : null;
  if (!row || !user || user.email !== row.email) {
    throw badRequest('This confirmation link is used up or expired. Log in and ask for a new one on the Account page.');
  }
  if (!user.emailVerifiedAt) {
    await deps.db.models.User.updateOne({ _id: user._id, emailVerifiedAt: null }, { $set: { emailVerifiedAt: deps.now } });
    await audit(deps.db, { actorId: String(user._id), action: 'account.email_verified', target: `user:${String(user._id)}`, at: deps.now });
    user.emailVerifiedAt = deps.now;
  }
  return finishFirstFactor(deps, user);
}

/** "Send the link again", from the Account page of a logged-in, unverified account. */
export async function resendVerification(deps: AccountDeps, userId: string): Promise<{ status: 'sent' | 'already_verified' }> {
  const user = await findUserById(deps, userId);
  if (!user) throw unauthorized();
  if (user.emailVerifiedAt) return { status: 'already_verified' };
  await sendVerification(deps, user);
  return { status: 'sent' };
}
