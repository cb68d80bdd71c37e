import mongoose from 'mongoose';

/**
 * A site's webhook endpoint. Its signing secret is sealed under the master key (it must be
 * readable to sign, so it cannot be a hash; sealed, a database dump cannot forge deliveries).
 * During a secret roll the previous secret signs too, until `previousSecretExpiresAt`.
 */
const schema = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    url: { type: String, required: true },
    description: { type: String, default: '' },
    /** Event types delivered here. */
    events: { type: [String], required: true },
    secretEnc: { type: String, required: true },
    secretHint: { type: String, required: true },
    previousSecretEnc: { type: String, default: null },
    previousSecretExpiresAt: { type: Date, default: null },
    status: { type: String, enum: ['enabled', 'disabled'], required: true },
    disabledAt: { type: Date, default: null },
    /** Why: `failing` (deliveries failed for the whole retry period) or `owner`. */
    disabledReason: { type: String, default: null },
    createdBy: { type: mongoose.Schema.Types.ObjectId, required: true },
  },
  { timestamps: true },
);
schema.index({ siteId: 1, createdAt: -1 });
// Fan-out: the enabled endpoints subscribed to a type (multikey on events), and the alert sweep.
schema.index({ status: 1, events: 1, siteId: 1 });

export type WebhookEndpointDoc = mongoose.InferSchemaType<typeof schema>;
export const webhookEndpointModel = (conn: mongoose.Connection) => conn.model('WebhookEndpoint', schema, 'webhook_endpoints');
