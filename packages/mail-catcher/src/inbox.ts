/**
 * Reads the mail catcher's inbox through maildev's REST API (`GET /api/email`), as the tests
 * do: wait for the mail sent to an address, read its text, follow its link.
 */
export interface CaughtMail {
  id: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  receivedAt: Date;
}

interface MaildevEmail {
  id: string;
  time: string;
  subject?: string;
  text?: string;
  html?: string;
  to?: Array<{ address: string }>;
}

function toMail(email: MaildevEmail): CaughtMail {
  return {
    id: email.id,
    to: (email.to ?? []).map((t) => t.address.toLowerCase()),
    subject: email.subject ?? '',
    text: email.text ?? '',
    html: email.html ?? '',
    receivedAt: new Date(email.time),
  };
}

export interface WaitOptions {
  /** Only a mail whose subject matches. */
  subject?: RegExp;
  /** Skip mails already seen (their ids). */
  except?: ReadonlySet<string>;
  timeoutMs?: number;
}

export class MailInbox {
  constructor(private readonly webUrl: string) {}

  /** Every mail sent to `address`, oldest first. */
  async mailsTo(address: string): Promise<CaughtMail[]> {
    const response = await fetch(new URL('/api/email', this.webUrl));
    if (!response.ok) throw new Error(`mail catcher answered ${response.status}`);
    const emails = (await response.json()) as MaildevEmail[];
    // Filtered here rather than with maildev's `?to.address=`, which compares case-sensitively.
    return emails.map(toMail).filter((mail) => mail.to.includes(address.toLowerCase()));
  }

  /** The newest mail to `address` that matches, waiting for it to arrive. */
  async waitForMail(address: string, options: WaitOptions = {}): Promise<CaughtMail> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const found = (await this.mailsTo(address))
        .filter((mail) => (!options.subject || options.subject.test(mail.subject)) && !options.except?.has(mail.id))
        .at(-1);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no mail to ${address}${options.subject ? ` matching ${options.subject}` : ''} arrived`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** The first link of a mail's text that starts with `prefix` (an absolute URL). */
export function linkIn(mail: CaughtMail, prefix: string): string {
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!link) throw new Error(`the mail "${mail.subject}" has no link starting with ${prefix}`);
  return link;
}
