import type { Types } from 'mongoose';
import type { Database } from '@tagward/db';
import type { ApiConfig } from '../config.js';
import type { Context } from '../context.js';
import type { UserDto } from '../dto.js';
import type { MailMessage } from '../mail/mailer.js';
import type { Services } from './index.js';

/** What the account services need from a request. */
export interface AccountDeps {
  db: Database;
  config: ApiConfig;
  services: Services;
  now: Date;
  ip: string;
}

export function accountDeps(ctx: Context): AccountDeps {
  return { db: ctx.db, config: ctx.config, services: ctx.services, now: ctx.now(), ip: ctx.request.ip };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A user row as the account services read it. */
export interface UserRow {
  _id: Types.ObjectId;
  email: string;
  passwordHash: string;
  role?: string | null;
  emailVerifiedAt?: Date | null;
  totp?: { keyEnc: string; enabledAt: Date; lastStep?: number | null } | null;
  totpPendingEnc?: string | null;
  recoveryCodeHashes?: string[];
}

export function toUserDto(user: { _id: unknown; email: string; role?: string | null; emailVerifiedAt?: Date | null; totp?: { enabledAt?: Date | null } | null }): UserDto {
  return {
    id: String(user._id),
    email: user.email,
    role: user.role === 'admin' ? 'admin' : 'user',
    emailVerified: Boolean(user.emailVerifiedAt),
    twoFactor: Boolean(user.totp?.enabledAt),
  };
}

/**
 * Mails triggered by requests anyone can make go out at most `mailsPerRecipient` times an hour
 * per address, so nobody can use us to flood an inbox. Past that the mail is skipped, silently:
 * the answer on the screen must not change.
 */
export async function mailQuietly(deps: AccountDeps, message: MailMessage): Promise<void> {
  if (!(await deps.services.mailsPerRecipient.consume(message.to, deps.now))) return;
  deps.services.mailer.sendInBackground(message);
}
