import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import type { Database } from '@tagward/db';

/**
 * Sessions as Lucia's session guide teaches them: the token handed to the browser is
 * `<id>.<secret>`; the database keeps the id and a SHA-256 of the secret only, so a leaked
 * sessions table cannot be replayed as cookies. Comparing the secret in constant time after a
 * lookup by id keeps the lookup itself free of timing leaks.
 */

/** How long sessions live: idle (slides while used) and absolute (from login, never extended). */
export interface SessionLifetime {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIFETIME: SessionLifetime = {
  idleMs: 14 * 24 * 60 * 60 * 1000,
  absoluteMs: 30 * 24 * 60 * 60 * 1000,
};

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  /** When the owner last proved who they are: login, or re-authentication. */
  reauthAt: Date;
}

export interface SessionUser {
  id: string;
  email: string;
  role: 'user' | 'admin';
  emailVerified: boolean;
  twoFactor: boolean;
}

export interface ValidatedSession {
  session: SessionRecord;
  user: SessionUser;
  /** True when the expiry moved: the caller must send a fresh cookie with the new expiry. */
  renewed: boolean;
}

// Human-readable alphabet (no l, o, 0, 1), 5 bits per character: 24 bytes -> 120 bits.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** 24 random characters (120 bits of entropy) from a CSPRNG. */
export function generateSecureRandomString(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte >> 3];
  return out;
}

/** `.lean()` hands back BSON `Binary` for Buffer fields; hydrated docs give a Buffer. */
function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object' && value !== null && 'buffer' in value && value.buffer instanceof Uint8Array) {
    return value.buffer;
  }
  return new Uint8Array(0);
}

function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/** Creates a session and returns it with the token to put in the cookie (shown nowhere else). */
export async function createSession(
  db: Database,
  userId: string,
  now: Date = new Date(),
  lifetime: SessionLifetime = DEFAULT_SESSION_LIFETIME,
): Promise<{ session: SessionRecord; token: string }> {
  const id = generateSecureRandomString();
  const secret = generateSecureRandomString();
  const absoluteExpiresAt = new Date(now.getTime() + lifetime.absoluteMs);
  const expiresAt = new Date(Math.min(now.getTime() + lifetime.idleMs, absoluteExpiresAt.getTime()));
  await db.models.Session.create({
    _id: id,
    userId,
    secretHash: Buffer.from(hashSecret(secret)),
    createdAt: now,
    expiresAt,
    absoluteExpiresAt,
    reauthAt: now,
  });
  return {
    session: { id, userId: String(userId), createdAt: now, expiresAt, absoluteExpiresAt, reauthAt: now },
    token: `${id}.${secret}`,
  };
}

/**
 * Checks a token, deletes the session if it expired (idle or absolute), and slides its idle
 * expiry when it is in the second half of its idle life, never past the absolute one. Returns
 * null for anything that is not a live session.
 */
export async function validateSessionToken(
  db: Database,
  token: string,
  now: Date = new Date(),
  lifetime: SessionLifetime = DEFAULT_SESSION_LIFETIME,
): Promise<ValidatedSession | null> {
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [id, secret] = parts as [string, string];
  if (id.length !== 24 || secret.length !== 24) return null;

  const row = await db.models.Session.findById(id).lean();
  if (!row) return null;
  if (!constantTimeEqual(hashSecret(secret), asBytes(row.secretHash))) return null;
  // Sessions made before the absolute limit existed get it counted from their creation.
  const absoluteExpiresAt = row.absoluteExpiresAt ?? new Date(row.createdAt.getTime() + lifetime.absoluteMs);
  if (Math.min(row.expiresAt.getTime(), absoluteExpiresAt.getTime()) <= now.getTime()) {
    await db.models.Session.deleteOne({ _id: id });
    return null;
  }

  const user = await db.models.User.findById(row.userId, { email: 1, role: 1, emailVerifiedAt: 1, 'totp.enabledAt': 1 }).lean();
  if (!user) {
    await db.models.Session.deleteOne({ _id: id });
    return null;
  }

  let expiresAt = row.expiresAt;
  let renewed = false;
  const idleLeft = expiresAt.getTime() - now.getTime();
  if (idleLeft < lifetime.idleMs / 2 && expiresAt.getTime() < absoluteExpiresAt.getTime()) {
    expiresAt = new Date(Math.min(now.getTime() + lifetime.idleMs, absoluteExpiresAt.getTime()));
    renewed = true;
    await db.models.Session.updateOne({ _id: id }, { $set: { expiresAt } });
  }

  return {
    session: {
      id,
      userId: String(row.userId),
      createdAt: row.createdAt,
      expiresAt,
      absoluteExpiresAt,
      reauthAt: row.reauthAt ?? row.createdAt,
    },
    user: {
      id: String(user._id),
      email: user.email,
      role: user.role === 'admin' ? 'admin' : 'user',
      emailVerified: Boolean(user.emailVerifiedAt),
      twoFactor: Boolean(user.totp?.enabledAt),
    },
    renewed,
  };
}

/** The owner proved who they are again (password or code): sensitive actions are open for a while. */
export async function markReauthenticated(db: Database, sessionId: string, now: Date): Promise<void> {
  await db.models.Session.updateOne({ _id: sessionId }, { $set: { reauthAt: now } });
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.models.Session.deleteOne({ _id: sessionId });
}

/** Ends every session of a user, optionally keeping one (the one changing the password). */
export async function invalidateUserSessions(
  db: Database,
  userId: string,
  options: { except?: string } = {},
): Promise<number> {
  const filter: Record<string, unknown> = { userId };
  if (options.except) filter._id = { $ne: options.except };
  const result = await db.models.Session.deleteMany(filter);
  return result.deletedCount;
}
