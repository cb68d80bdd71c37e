import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MailDev } from 'maildev';

/**
 * The development mail catcher: maildev (an SMTP server with a web inbox and a REST API) run in
 * this process. `npm start` runs one beside the system and prints its inbox URL; the test runs
 * start one each and read what the API mailed through {@link MailInbox}. Never used in
 * production, where `SMTP_URL` names a real mail server.
 */
export interface MailCatcherOptions {
  /** Interface both servers listen on (default 127.0.0.1: the inbox has no password). */
  host?: string;
  /** SMTP port; 0 picks a free one. */
  smtpPort?: number;
  /** Web inbox and REST API port; 0 picks a free one. */
  webPort?: number;
  /** Where mails are kept (default: a fresh temporary folder, removed on stop). */
  mailDir?: string;
}

export interface RunningMailCatcher {
  /** What to give the API as `SMTP_URL`. */
  smtpUrl: string;
  /** The web inbox (and its REST API under /api). */
  webUrl: string;
  stop(): Promise<void>;
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<RunningMailCatcher> {
  const host = options.host ?? '127.0.0.1';
  // A folder of its own: maildev's default is one shared folder in /tmp, which two catchers
  // (the demo and a test run) would then both read.
  const ownDir = options.mailDir ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-mail-'));
  const maildev = new MailDev({
    smtp: options.smtpPort ?? 0,
    web: options.webPort ?? 0,
    ip: host,
    webIp: host,
    silent: true,
    mailDirectory: options.mailDir ?? ownDir,
    // A catcher never delivers anything onwards.
    autoRelay: false,
  });
  const servers = await maildev.start();
  const smtpPort = servers.smtp.getPort();
  const webPort = servers.api?.getAddress()?.port;
  if (!smtpPort || !webPort) throw new Error('the mail catcher did not report its ports');
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    smtpUrl: `smtp://${shownHost}:${smtpPort}`,
    webUrl: `http://${shownHost}:${webPort}`,
    async stop() {
      await maildev.stop();
      if (ownDir) fs.rmSync(ownDir, { recursive: true, force: true });
    },
  };
}
