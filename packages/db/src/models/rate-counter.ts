import mongoose from 'mongoose';

/** Rate-limit slots shared by every beacon process: one document per claimed slot (unique `_id`). */
const schema = new mongoose.Schema(
  {
    _id: { type: String, required: true },
    count: { type: Number, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// Deleted by the server once the window is over.
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const rateCounterModel = (conn: mongoose.Connection) =>
  conn.model('RateCounter', schema, 'rate_counters');
