import mongoose from 'mongoose';

/**
 * One event to one endpoint, with its attempts. `_id` is `<event id>:<endpoint id>`, so
 * dispatching an event twice creates no second delivery. A worker claims a due delivery by
 * moving `dueAt` past a lease (compare-and-set on `claim`); a worker that dies leaves it due again
 * when the lease ends, so no delivery is lost.
 */
const attempt = new mongoose.Schema(
  {
    at: { type: Date, required: true },
    /** HTTP status, or null when there was no response. */
    status: { type: Number, default: null },
    /** A stable code when it failed: http_status, timeout, connect_failed, redirect, address_refused… */
    error: { type: String, default: null },
    detail: { type: String, default: '' },
    durationMs: { type: Number, default: 0 },
  },
  { _id: false },
);
const schema = new mongoose.Schema(
  {
    _id: { type: String, required: true },
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    endpointId: { type: mongoose.Schema.Types.ObjectId, required: true },
    eventId: { type: String, required: true },
    type: { type: String, required: true },
    /** The exact JSON body sent, so every retry sends the same bytes. */
    body: { type: String, required: true },
    status: { type: String, enum: ['pending', 'succeeded', 'failed', 'cancelled'], required: true },
    dueAt: { type: Date, required: true },
    claim: { type: String, default: null },
    attemptCount: { type: Number, default: 0 },
    attempts: { type: [attempt], default: [] },
    createdAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// The worker's claim: due pending deliveries, oldest due first.
schema.index({ status: 1, dueAt: 1 });
// The delivery log of an endpoint (keyset on createdAt, _id), and cancelling an endpoint's pending ones.
schema.index({ endpointId: 1, createdAt: -1, _id: -1 });
schema.index({ endpointId: 1, status: 1 });
schema.index({ siteId: 1 });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type WebhookDeliveryDoc = mongoose.InferSchemaType<typeof schema>;
export const webhookDeliveryModel = (conn: mongoose.Connection) => conn.model('WebhookDelivery', schema, 'webhook_deliveries');
