import mongoose from 'mongoose';

/**
 * One stored beacon. Raw signals are kept (not only the score) so moderation can re-score history.
 * Check results and reasons are arrays of documents, never maps keyed by user text: FerretDB and
 * MongoDB both refuse keys with `.` or a leading `$`.
 */
const schema = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    /** The client's idempotency id: a retried beacon is stored once. */
    eventId: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    page: {
      url: { type: String, required: true },
      path: { type: String, required: true },
      referrer: { type: String, default: '' },
    },
    checks: { type: [mongoose.Schema.Types.Mixed], default: [] },
    signals: { type: mongoose.Schema.Types.Mixed, required: true },
    score: { type: Number, required: true },
    verdict: { type: String, enum: ['trusted', 'suspect', 'fraud'], required: true },
    reasons: { type: [mongoose.Schema.Types.Mixed], default: [] },
    rulesVersion: { type: Number, required: true },
    /** Version of the site's rules override in force, if any. */
    overrideVersion: { type: Number, default: null },
    /** Whether a valid page token came with the beacon (the "page tokens seen" panel). */
    tokenValid: { type: Boolean, default: false },
    /** The embed script's own caught errors. */
    clientErrors: { type: [String], default: [] },
    visitorHash: { type: String, required: true },
    shadow: { type: mongoose.Schema.Types.Mixed, default: null },
    attestationCohort: { type: Boolean, default: false },
    label: { type: mongoose.Schema.Types.Mixed, default: null },
  },
  { versionKey: false, minimize: false },
);
schema.index({ siteId: 1, eventId: 1 }, { unique: true });
schema.index({ siteId: 1, receivedAt: -1 });
schema.index({ siteId: 1, verdict: 1, receivedAt: -1 });
schema.index({ receivedAt: -1 });

export type EventDoc = mongoose.InferSchemaType<typeof schema>;
export const eventModel = (conn: mongoose.Connection) => conn.model('Event', schema, 'events');
