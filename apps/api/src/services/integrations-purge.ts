import type { Database } from '@tagward/db';
import type { ClientSession, Types } from 'mongoose';

/**
 * Site deletion, issue 17's part. In the deletion's transaction: the restricted keys (so no API
 * call for the site works once it commits), the webhook endpoints (so nothing more is delivered)
 * and the alert settings. In the purge after it (resumed on restart): usage counts, outbox
 * events and delivery logs, which can be many.
 */
export async function deleteSiteIntegrations(db: Database, siteId: Types.ObjectId, session: ClientSession): Promise<void> {
  await db.models.RestrictedKey.deleteMany({ siteId }, { session });
  await db.models.WebhookEndpoint.deleteMany({ siteId }, { session });
  await db.models.SiteAlert.deleteOne({ _id: siteId }, { session });
}

export async function purgeSiteIntegrations(db: Database, siteId: Types.ObjectId): Promise<void> {
  await Promise.all([
    db.models.KeyUsage.deleteMany({ siteId }),
    db.models.WebhookEvent.deleteMany({ siteId }),
    db.models.WebhookDelivery.deleteMany({ siteId }),
  ]);
}
