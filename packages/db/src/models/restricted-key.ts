import mongoose from 'mongoose';

/**
 * A site's restricted API key (`rk_…`): scopes, an optional expiry, revocable. Only the SHA-256 of
 * the key is stored (there is no signing key to seal: restricted keys cannot mint page tokens),
 * so a database dump cannot call the API with it.
 */
const schema = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    kid: { type: String, required: true },
    secretHash: { type: String, required: true },
    hint: { type: String, required: true },
    /** The owner's label ("BI export", "Zapier"). */
    name: { type: String, required: true },
    scopes: { type: [String], required: true },
    expiresAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    createdBy: { type: mongoose.Schema.Types.ObjectId, required: true },
    lastUsedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
schema.index({ kid: 1 }, { unique: true });
schema.index({ secretHash: 1 }, { unique: true });
schema.index({ siteId: 1, createdAt: -1 });

export type RestrictedKeyDoc = mongoose.InferSchemaType<typeof schema>;
export const restrictedKeyModel = (conn: mongoose.Connection) => conn.model('RestrictedKey', schema, 'restricted_keys');
