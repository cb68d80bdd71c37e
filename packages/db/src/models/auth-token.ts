import mongoose from 'mongoose';

/**
 * Single-use, expiring tokens: the links we mail (verify an address, reset a password, sign in
 * from a new address) and the second step of a login with two-factor. Only the SHA-256 of a
 * token is stored, as the `_id`: a copy of this collection opens nothing. A token is used by
 * deleting it (`findOneAndDelete`), so two uses at once cannot both succeed. Expired ones are
 * refused by the code and removed by the TTL index.
 */
export const AUTH_TOKEN_PURPOSES = ['verify_email', 'reset_password', 'login_link', 'second_factor'] as const;
export type AuthTokenPurpose = (typeof AUTH_TOKEN_PURPOSES)[number];

const schema = new mongoose.Schema(
  {
    _id: { type: String, required: true },
    purpose: { type: String, enum: AUTH_TOKEN_PURPOSES, required: true },
    userId: { type: mongoose.Schema.Types.ObjectId, required: true },
    /** The address the link was mailed to: a link stops working if the account's email changed. */
    email: { type: String, required: true },
    /** Wrong codes entered against a second-factor token; it dies at the limit. */
    attempts: { type: Number, default: 0 },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// "End every reset link of this account" after a reset or a deletion.
schema.index({ userId: 1, purpose: 1 });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type AuthTokenDoc = mongoose.InferSchemaType<typeof schema>;
export const authTokenModel = (conn: mongoose.Connection) => conn.model('AuthToken', schema, 'auth_tokens');
