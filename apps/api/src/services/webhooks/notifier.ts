import type { Logger } from 'pino';
import type { Database } from '@tagward/db';
import type { Mailer } from '../../mail/mailer.js';
import { renderMail } from '../../mail/templates.js';

/**
 * How the API tells a site's owners about something that needs them (a webhook endpoint disabled
 * after failing for the whole retry period). The API mails the site's owners (`mailNotifier`);
 * `logNotifier` only logs, for contexts without a mailer.
 * Implementations must not throw: a failed notification never undoes what it reports.
 */
export interface Notifier {
  notifyOwners(siteId: string, subject: string, text: string): Promise<void>;
}

export function logNotifier(log: Logger): Notifier {
  return {
    async notifyOwners(siteId, subject, text) {
      log.warn({ siteId, subject, text }, 'owner notification (no mailer configured)');
    },
  };
}

/** Mails the site's owners (each owner's account address) through the API's mailer. */
export function mailNotifier(db: Database, mailer: Mailer, log: Logger): Notifier {
  return {
    async notifyOwners(siteId, subject, text) {
      try {
        const site = await db.models.Site.findById(siteId, { members: 1 }).lean();
        const ownerIds = (site?.members ?? []).filter((m) => m.role === 'owner').map((m) => m.userId);
        const owners = await db.models.User.find({ _id: { $in: ownerIds } }, { email: 1 }).lean();
        await Promise.all(owners.map((owner) => mailer.sendMail(renderMail(owner.email, { subject, paragraphs: text.split(/\n{2,}/) }))));
      } catch (error) {
        log.error({ err: error, siteId, subject }, 'owner notification not sent');
      }
    },
  };
}
