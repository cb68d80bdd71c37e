import mongoose from 'mongoose';

/**
 * Uses of an API key (secret or restricted) per UTC day: requests answered and requests refused
 * by the rate limit. `_id` is `<kid>:<day ms>`, so concurrent `$inc` upserts meet on one document.
 */
const schema = new mongoose.Schema(
  {
    _id: { type: String, required: true },
    kid: { type: String, required: true },
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    day: { type: Date, required: true },
    requests: { type: Number, default: 0 },
    limited: { type: Number, default: 0 },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ kid: 1, day: -1 });
schema.index({ siteId: 1 });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const keyUsageModel = (conn: mongoose.Connection) => conn.model('KeyUsage', schema, 'api_key_usage');
