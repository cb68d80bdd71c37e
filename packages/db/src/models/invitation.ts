import mongoose from 'mongoose';

/**
 * An invitation to join a site, sent to an email address. Nobody becomes a member without
 * following the mailed link (consent, and proof that they read that mailbox). One pending
 * invitation per site and address (unique index): inviting again renews it with a new link.
 * Only the SHA-256 of the link's token is stored. Expired invitations are refused by the code and
 * removed by the TTL index.
 */
const schema = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    email: { type: String, required: true, lowercase: true, trim: true },
    role: { type: String, enum: ['owner', 'viewer'], required: true },
    invitedBy: { type: mongoose.Schema.Types.ObjectId, required: true },
    tokenHash: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
schema.index({ siteId: 1, email: 1 }, { unique: true });
schema.index({ tokenHash: 1 }, { unique: true });
schema.index({ invitedBy: 1 });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type InvitationDoc = mongoose.InferSchemaType<typeof schema>;
export const invitationModel = (conn: mongoose.Connection) => conn.model('Invitation', schema, 'invitations');
