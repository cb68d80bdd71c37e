import { generateRecoveryCodes, generateTotpKey, totpKeyText, totpKeyUri, verifyTotp } from '@tagward/auth';
import { securityNoticeMail } from '../mail/templates.js';
import type { AccountDeps } from './account-deps.js';
import { audit } from './audit.js';
import { badRequest, forbidden, unauthorized } from './errors.js';
import { findUserById } from './login.js';
import { openTotpKey, sealTotpKey } from './totp-seal.js';

/**
 * Two-factor with TOTP: set up (a new key, shown as a QR code and as text), confirmed by a first
 * code from the app, which turns it on and hands out ten recovery codes, once. Turning it off and
 * making new recovery codes need a recent re-authentication (the router checks it). Platform
 * admins cannot turn it off: they must have it.
 */
export interface TwoFactorStatus {
  enabled: boolean;
  recoveryCodesLeft: number;
}

async function loadUser(deps: AccountDeps, userId: string) {
  const user = await findUserById(deps, userId);
  if (!user) throw unauthorized();
  return user;
}

export async function twoFactorStatus(deps: AccountDeps, userId: string): Promise<TwoFactorStatus> {
  const user = await loadUser(deps, userId);
  return { enabled: Boolean(user.totp?.enabledAt), recoveryCodesLeft: user.recoveryCodeHashes?.length ?? 0 };
}

/** A new key for the authenticator app; it does nothing until a code from it confirms it. */
export async function beginTwoFactor(deps: AccountDeps, userId: string): Promise<{ secret: string; uri: string }> {
  const user = await loadUser(deps, userId);
  if (user.totp?.enabledAt) throw badRequest('Two-factor is already on. Turn it off first to use another app.');
  const key = generateTotpKey();
  await deps.db.models.User.updateOne({ _id: user._id }, { $set: { totpPendingEnc: sealTotpKey(key, userId, deps.config.masterKey) } });
  return { secret: totpKeyText(key), uri: totpKeyUri(key, user.email) };
}

/** The first code from the app turns two-factor on; the recovery codes are returned this once. */
export async function confirmTwoFactor(deps: AccountDeps, userId: string, code: string): Promise<{ recoveryCodes: string[] }> {
  const user = await loadUser(deps, userId);
  if (!user.totpPendingEnc) throw badRequest('Start the set-up again: no key is waiting for a code.');
  const key = openTotpKey(user.totpPendingEnc, userId, deps.config.masterKey);
  const step = verifyTotp(key, code, deps.now);
  if (step === null) throw badRequest('That code is not right. Check the time on your phone and try the next code.');
  const { codes, hashes } = generateRecoveryCodes();
  // Conditional on the same pending key, so two confirmations at once turn it on once.
  const done = await deps.db.models.User.updateOne(
    { _id: user._id, totpPendingEnc: user.totpPendingEnc, totp: null },
    { $set: { totp: { keyEnc: user.totpPendingEnc, enabledAt: deps.now, lastStep: step }, totpPendingEnc: null, recoveryCodeHashes: hashes } },
  );
  if (done.modifiedCount !== 1) throw badRequest('Two-factor is already on.');
  await audit(deps.db, { actorId: userId, action: 'account.2fa_on', target: `user:${userId}`, at: deps.now });
  deps.services.mailer.sendInBackground(securityNoticeMail(user.email, 'two-factor authentication was turned on', `${deps.config.publicUrl}/login`));
  return { recoveryCodes: codes };
}

export async function disableTwoFactor(deps: AccountDeps, userId: string): Promise<TwoFactorStatus> {
  const user = await loadUser(deps, userId);
  if (user.role === 'admin') throw forbidden('Platform administrators must keep two-factor on.');
  await deps.db.models.User.updateOne({ _id: user._id }, { $set: { totp: null, totpPendingEnc: null, recoveryCodeHashes: [] } });
  await audit(deps.db, { actorId: userId, action: 'account.2fa_off', target: `user:${userId}`, at: deps.now });
  deps.services.mailer.sendInBackground(securityNoticeMail(user.email, 'two-factor authentication was turned off', `${deps.config.publicUrl}/login`));
  return { enabled: false, recoveryCodesLeft: 0 };
}

/** New recovery codes; the old ones stop working. */
export async function regenerateRecoveryCodes(deps: AccountDeps, userId: string): Promise<{ recoveryCodes: string[] }> {
  const user = await loadUser(deps, userId);
  if (!user.totp?.enabledAt) throw badRequest('Turn on two-factor first.');
  const { codes, hashes } = generateRecoveryCodes();
  await deps.db.models.User.updateOne({ _id: user._id }, { $set: { recoveryCodeHashes: hashes } });
  await audit(deps.db, { actorId: userId, action: 'account.recovery_codes', target: `user:${userId}`, at: deps.now });
  return { recoveryCodes: codes };
}

/**
 * For operators and the demo seed: gives an account a known TOTP key (and no recovery codes)
 * without the set-up steps, e.g. a platform admin created from a script.
 */
export async function setTotpKeyDirectly(db: AccountDeps['db'], masterKey: Uint8Array, userId: string, key: Uint8Array, now: Date): Promise<void> {
  await db.models.User.updateOne(
    { _id: userId },
    { $set: { totp: { keyEnc: sealTotpKey(key, userId, masterKey), enabledAt: now, lastStep: 0 }, totpPendingEnc: null } },
  );
}
