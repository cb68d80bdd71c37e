import mongoose from 'mongoose';

/**
 * One stored beacon. Raw signals are kept (not only the score) so moderation can re-score history.
 * Check results and reasons are arrays of documents, never maps keyed by user text: MongoDB
 * refuses keys with `.` or a leading `$`.
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
    /** An admin's label: `{ value: 'fraud' | 'legit', by, at }`, or null. */
    label: { type: mongoose.Schema.Types.Mixed, default: null },
    /**
     * The single-use nonces this beacon spent (page token `<kid>.<nonce>`, Privacy Pass
     * `pp:<nonce>`). Absent when it spent none — never an empty array, which a unique index
     * would treat as one shared value.
     */
    spentNonces: { type: [String], default: undefined },
    /** A hindsight re-score by a later beacon: `{ at, by, before: { score, verdict, reasons, signals } }`. */
    revision: { type: mongoose.Schema.Types.Mixed, default: undefined },
  },
  { versionKey: false, minimize: false },
);
/*
 * One index per query shape (test/indexes.test.ts explains each shape and fails on a scan).
 * Listings sort on (receivedAt, _id) for keyset pagination, so `_id` ends each listing index.
 */
// Idempotent beacons, and the verify API's lookup of one beacon.
schema.index({ siteId: 1, eventId: 1 }, { unique: true });
// The events explorer, per-site windows (backtests, attestation, exports), site deletion.
schema.index({ siteId: 1, receivedAt: -1, _id: -1 });
// The explorer filtered by verdict, or by a reason code (multikey).
schema.index({ siteId: 1, verdict: 1, receivedAt: -1, _id: -1 });
schema.index({ siteId: 1, 'reasons.code': 1, receivedAt: -1, _id: -1 });
// The explorer filtered by a path prefix that few events have (a range on page.path), once its
// first time windows came back short (apps/api event-search.ts). Without it such a filter read
// every event of the site: 13 s for a rare page, 88 s for none, on a million events.
schema.index({ siteId: 1, 'page.path': 1, receivedAt: -1, _id: -1 });
// Across sites: the admin review queue and backtests of every site.
schema.index({ receivedAt: -1, _id: -1 });
// Spent nonces are unique across all events: the insert that stores a beacon is the one that
// spends its tokens, so a replay fails in the same write, in every beacon process at once.
schema.index({ spentNonces: 1 }, { unique: true, sparse: true });
// Sparse: only labelled events (label.value) and events scored in shadow mode (shadow.version)
// are in them, so the moderation views read a few documents instead of every event.
schema.index({ 'label.value': 1 }, { sparse: true });
schema.index({ 'shadow.version': 1, receivedAt: -1 }, { sparse: true });

/** The label values; queries on labelled events name them, so the sparse index serves them. */
export const LABEL_VALUES = ['fraud', 'legit'] as const;

export type EventDoc = mongoose.InferSchemaType<typeof schema>;
export const eventModel = (conn: mongoose.Connection) => conn.model('Event', schema, 'events');
