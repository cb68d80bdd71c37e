/**
 * The spend callback the beacon will use: one insert into the SpentNonce collection, whose
 * unique _id makes the first redemption win across every process (a duplicate-key error, code
 * 11000, means the nonce was already spent). Prefixed so Privacy Pass nonces never collide with
 * page-token nonces in the same collection.
 */
import type { Types } from 'mongoose';
import type { Database } from '@tagward/db';

export function mongoSpend(db: Database, siteId: Types.ObjectId, expiresAt: Date) {
  return async (nonceHex: string): Promise<boolean> => {
    try {
      await db.models.SpentNonce.create({ _id: `pp:${nonceHex}`, siteId, expiresAt });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 11000) return false;
      throw error;
    }
  };
}
