import mongoose from 'mongoose';

/**
 * A site's secret key. The key itself (`sk_…`) is shown once and never stored: we keep a SHA-256
 * of it (to authenticate verify-API calls) and the page-token signing key derived from it,
 * encrypted under a master key that lives outside the database. A database dump alone can
 * therefore neither call the API nor mint page tokens.
 */
const schema = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    /** Public key id carried in page tokens. */
    kid: { type: String, required: true },
    secretHash: { type: String, required: true },
    signingKeyEnc: { type: String, required: true },
    /** Last four characters, to tell keys apart in the dashboard. */
    hint: { type: String, required: true },
    expiresAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { timestamps: true },
);
schema.index({ kid: 1 }, { unique: true });
schema.index({ secretHash: 1 }, { unique: true });
schema.index({ siteId: 1 });

export type SecretKeyDoc = mongoose.InferSchemaType<typeof schema>;
export const secretKeyModel = (conn: mongoose.Connection) =>
  conn.model('SecretKey', schema, 'secret_keys');
