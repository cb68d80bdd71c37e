import mongoose from 'mongoose';

/**
 * A deleted site whose events and rollups are still being deleted. Written in the transaction
 * that deletes the site, removed when the purge is done; the API resumes leftovers at start-up.
 */
const schema = new mongoose.Schema(
  {
    _id: { type: mongoose.Schema.Types.ObjectId, required: true },
    requestedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export const sitePurgeModel = (conn: mongoose.Connection) => conn.model('SitePurge', schema, 'site_purges');
