import mongoose from 'mongoose';

/**
 * A site's alert thresholds for the `fraud.spike` and `integration.silent` webhooks, and whether
 * each alert is currently raised (so it fires once when the condition starts, not every sweep).
 * `_id` is the site id.
 */
const schema = new mongoose.Schema(
  {
    _id: { type: mongoose.Schema.Types.ObjectId, required: true },
    /** Quarantined share (suspect + fraud) of events, in percent, that raises `fraud.spike`. */
    fraudSpikePct: { type: Number, default: 20 },
    /** The window it is measured over, in whole hours ending with the current one. */
    fraudSpikeWindowHours: { type: Number, default: 1 },
    /** Fewer events than this in the window never raise it. */
    fraudSpikeMinEvents: { type: Number, default: 50 },
    /** Hours without a beacon, after traffic, that raise `integration.silent`. */
    silentHours: { type: Number, default: 6 },
    fraudSpikeRaised: { type: Boolean, default: false },
    silentRaised: { type: Boolean, default: false },
  },
  { versionKey: false, timestamps: true },
);

export type SiteAlertDoc = mongoose.InferSchemaType<typeof schema>;
export const siteAlertModel = (conn: mongoose.Connection) => conn.model('SiteAlert', schema, 'site_alerts');
