import mongoose from 'mongoose';

/** A TOTP second factor: the key sealed under the master key, and the last time step used. */
const totp = new mongoose.Schema(
  {
    keyEnc: { type: String, required: true },
    enabledAt: { type: Date, required: true },
    /** A code is accepted once: a code of this step or an earlier one is refused. */
    lastStep: { type: Number, default: 0 },
  },
  { _id: false },
);

const schema = new mongoose.Schema(
  {
    email: { type: String, required: true, lowercase: true, trim: true },
    passwordHash: { type: String, required: true },
    role: { type: String, enum: ['user', 'admin'], default: 'user' },
    /** Set when the owner used a link mailed to this address (docs/accounts.md: the rule). */
    emailVerifiedAt: { type: Date, default: null },
    totp: { type: totp, default: null },
    /** A key being set up (sealed), until the first code from it confirms it. */
    totpPendingEnc: { type: String, default: null },
    /** SHA-256 (hex) of each unused recovery code; a use pulls its hash atomically. */
    recoveryCodeHashes: { type: [String], default: [] },
  },
  { timestamps: true },
);
schema.index({ email: 1 }, { unique: true });

export type UserDoc = mongoose.InferSchemaType<typeof schema>;
export const userModel = (conn: mongoose.Connection) => conn.model('User', schema, 'users');
