import mongoose from 'mongoose';

/**
 * Daily salts for visitor hashes. Random, shared by every beacon process (first writer wins with
 * an upsert), deleted after two days so yesterday's hashes cannot be recomputed from an IP.
 */
const schema = new mongoose.Schema(
  {
    _id: { type: String, required: true },
    salt: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const saltModel = (conn: mongoose.Connection) => conn.model('Salt', schema, 'salts');
