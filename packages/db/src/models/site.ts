import mongoose from 'mongoose';

const member = new mongoose.Schema(
  {
    userId: { type: mongoose.Schema.Types.ObjectId, required: true },
    role: { type: String, enum: ['owner', 'viewer'], required: true },
  },
  { _id: false },
);

const schema = new mongoose.Schema(
  {
    name: { type: String, required: true },
    /** Publishable key, `pk_live_…` or `pk_test_…`: public, pasted into pages. */
    publicKey: { type: String, required: true },
    mode: { type: String, enum: ['live', 'test'], required: true },
    /** Exact origins (`https://shop.example`) and wildcard patterns (`https://*.example.com`). */
    allowedOrigins: { type: [String], default: [] },
    members: { type: [member], default: [] },
    pageTokenRequired: { type: Boolean, default: false },
    /** Share of page views (0–100) put in the attestation experiment. */
    attestationCohortPct: { type: Number, default: 0 },
    /** Raw events are kept this many months (then deleted by the API's retention job); rollups longer. */
    retentionMonths: { type: Number, default: 13, min: 1, max: 60 },
    /** Bumped by every key change, so concurrent key changes of one site conflict (api keys.ts). */
    keyRevision: { type: Number, default: 0 },
  },
  { timestamps: true },
);
schema.index({ publicKey: 1 }, { unique: true });
schema.index({ 'members.userId': 1 });

export type SiteDoc = mongoose.InferSchemaType<typeof schema>;
export const siteModel = (conn: mongoose.Connection) => conn.model('Site', schema, 'sites');
