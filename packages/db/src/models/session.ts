import mongoose from 'mongoose';

/** A session as Lucia's guide teaches it: the id is public, only a hash of the secret is stored. */
const schema = new mongoose.Schema({
  _id: { type: String, required: true },
  userId: { type: mongoose.Schema.Types.ObjectId, required: true },
  secretHash: { type: Buffer, required: true },
  createdAt: { type: Date, required: true },
  /** Idle expiry: slides forward while the session is used, never past `absoluteExpiresAt`. */
  expiresAt: { type: Date, required: true },
  /** The session ends then however much it is used (sessions made before it existed: none). */
  absoluteExpiresAt: { type: Date, default: null },
  /** When its owner last proved who they are (log in, or re-authentication for a sensitive action). */
  reauthAt: { type: Date, default: null },
});
schema.index({ userId: 1 });
// Expired sessions are refused by validation and then deleted by the server.
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type SessionDoc = mongoose.InferSchemaType<typeof schema>;
export const sessionModel = (conn: mongoose.Connection) => conn.model('Session', schema, 'sessions');
