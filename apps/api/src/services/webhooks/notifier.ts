import type { Logger } from 'pino';

/**
 * How the API tells a site's owners about something that needs them (a webhook endpoint disabled
 * after failing for the whole retry period). The mailer plugs in here: give `startApiServer` a
 * `notifier` whose `notifyOwners` mails the site's owners. Until then it is a log line.
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
