import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

/** One mail: plain text plus a simple HTML version of the same words. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * How the API sends mail. Other parts of the API (webhooks telling owners an endpoint was
 * disabled, for instance) take a `Mailer` from `ctx.services.mailer` and call `sendMail`.
 */
export interface Mailer {
  /** Sends now; rejects when the mail server refuses. */
  sendMail(message: MailMessage): Promise<void>;
  /**
   * Sends without making the caller wait, logging a failure. Account mails go this way: the
   * answer to a sign-up or reset request must take the same time whether a mail went out or not.
   */
  sendInBackground(message: MailMessage): void;
  /** Resolves when every background send has finished (for a clean stop, and tests). */
  idle(): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** SMTP server URL; without one, mails are written to the log instead (development only). */
  smtpUrl: string | undefined;
  from: string;
  log: Logger;
}

export function createMailer(options: MailerOptions): Mailer {
  const transport = options.smtpUrl
    ? nodemailer.createTransport(options.smtpUrl)
    : // No mail server: the message is rendered and logged, so a developer running the API alone
      // still sees the links. Production refuses to start without SMTP_URL (config.ts).
      nodemailer.createTransport({ jsonTransport: true });
  const pending = new Set<Promise<void>>();

  async function sendMail(message: MailMessage): Promise<void> {
    const info = await transport.sendMail({ from: options.from, ...message });
    if (!options.smtpUrl) options.log.info({ to: message.to, subject: message.subject, text: message.text }, 'mail (no SMTP_URL: logged, not sent)');
    else options.log.debug({ to: message.to, subject: message.subject, id: info.messageId }, 'mail sent');
  }

  return {
    sendMail,
    sendInBackground(message) {
      const sending = sendMail(message)
        .catch((error: unknown) => options.log.error({ err: error, to: message.to, subject: message.subject }, 'mail not sent'))
        .finally(() => pending.delete(sending));
      pending.add(sending);
    },
    async idle() {
      await Promise.all([...pending]);
    },
    close() {
      transport.close();
    },
  };
}
