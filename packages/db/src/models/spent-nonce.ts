import mongoose from 'mongoose';

/**
 * Spent page-token nonces. The unique `_id` makes the first insert win across every beacon
 * process: a second insert of the same nonce fails with a duplicate-key error, which is a replay.
 * A TTL index deletes a row once its token has expired: a replay after that fails on expiry anyway.
 */
const schema = new mongoose.Schema(
  {
    _id: { type: String, required: true },
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    /** The beacon that spent it: a retry of that same beacon is not a replay. */
    eventId: { type: String, default: null },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const spentNonceModel = (conn: mongoose.Connection) =>
  conn.model('SpentNonce', schema, 'spent_nonces');
