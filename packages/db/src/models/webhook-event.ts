import mongoose from 'mongoose';

/**
 * The webhook outbox: one document per event, written in the same transaction as the change it
 * announces (a key rotation, a rules publish) or by the alert sweep. The dispatcher turns each
 * into one delivery per subscribed endpoint and then marks it dispatched; a crash in between
 * dispatches it again, and the deliveries' deterministic ids make that harmless (at-least-once).
 */
const schema = new mongoose.Schema(
  {
    /** `evt_…`: the id receivers deduplicate on. */
    _id: { type: String, required: true },
    /** null: every site (a global rules publish). */
    siteId: { type: mongoose.Schema.Types.ObjectId, default: null },
    type: { type: String, required: true },
    data: { type: mongoose.Schema.Types.Mixed, default: {} },
    /** A test event goes to this endpoint only, whatever it subscribes to. */
    endpointId: { type: mongoose.Schema.Types.ObjectId, default: null },
    createdAt: { type: Date, required: true },
    dispatched: { type: Boolean, default: false },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);
schema.index({ dispatched: 1, createdAt: 1 });
schema.index({ siteId: 1 });
schema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const webhookEventModel = (conn: mongoose.Connection) => conn.model('WebhookEvent', schema, 'webhook_events');
