import type { Types } from 'mongoose';
import { generateToken, sha256Hex } from '@tagward/auth';
import type { AuthTokenPurpose, Database } from '@tagward/db';

/** How long each kind of token works. */
export const TOKEN_TTL_MS: Record<AuthTokenPurpose, number> = {
  verify_email: 24 * 60 * 60 * 1000,
  reset_password: 60 * 60 * 1000,
  login_link: 15 * 60 * 1000,
  second_factor: 5 * 60 * 1000,
};

export interface TokenRow {
  _id: string;
  purpose: AuthTokenPurpose;
  userId: Types.ObjectId;
  email: string;
  attempts: number;
  expiresAt: Date;
}

/** Stores the hash of a new token for `user` and returns the token (it exists nowhere else). */
export async function issueToken(db: Database, purpose: AuthTokenPurpose, user: { _id: Types.ObjectId; email: string }, now: Date): Promise<string> {
  const { token, hash } = generateToken();
  await db.models.AuthToken.create({
    _id: hash,
    purpose,
    userId: user._id,
    email: user.email,
    createdAt: now,
    expiresAt: new Date(now.getTime() + TOKEN_TTL_MS[purpose]),
  });
  return token;
}

/**
 * Uses a token: deletes it and returns what it was for, or null when it does not exist, is of
 * another kind, or expired (the TTL index may not have removed it yet). Deleting is the use, so
 * of two requests with the same token only one gets it.
 */
export async function consumeToken(db: Database, purpose: AuthTokenPurpose, token: string, now: Date): Promise<TokenRow | null> {
  const row = (await db.models.AuthToken.findOneAndDelete({ _id: sha256Hex(token), purpose }).lean()) as TokenRow | null;
  if (!row || row.expiresAt.getTime() <= now.getTime()) return null;
  return row;
}

/** The link a mail carries. The token travels in the fragment, which browsers send to no server. */
export function linkTo(publicUrl: string, path: string, token: string): string {
  return `${publicUrl}${path}#token=${token}`;
}
