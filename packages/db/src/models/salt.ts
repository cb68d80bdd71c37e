import mongoose from 'mongoose';

/**
 * Daily salts for visitor hashes. Random, shared by every beacon process (first insert wins), and
 * deleted by a TTL index two days after they were made, so older hashes cannot be recomputed from
 * an IP.
 */
const schema = new mongoose.Schema(
  {
    _id: { type: String, required: true },
    salt: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

schema.index({ createdAt: 1 }, { expireAfterSeconds: 2 * 86_400 });

export const saltModel = (conn: mongoose.Connection) => conn.model('Salt', schema, 'salts');
