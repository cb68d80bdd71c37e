/**
 * A vitest `globalSetup` body: one mail catcher for the whole run, its URLs provided to the test
 * files (`inject('tagwardSmtpUrl')`, `inject('tagwardMailWebUrl')`).
 *
 * @example
 * // test/global-setup.ts
 * export { setupMailCatcher } from '@tagward/mail-catcher/testing';
 */
import { inject } from 'vitest';
import { startMailCatcher } from './catcher.js';
import { MailInbox } from './inbox.js';

declare module 'vitest' {
  export interface ProvidedContext {
    tagwardSmtpUrl: string;
    tagwardMailWebUrl: string;
  }
}

export async function setupMailCatcher(project: {
  provide(key: 'tagwardSmtpUrl' | 'tagwardMailWebUrl', value: string): void;
}): Promise<() => Promise<void>> {
  const catcher = await startMailCatcher();
  project.provide('tagwardSmtpUrl', catcher.smtpUrl);
  project.provide('tagwardMailWebUrl', catcher.webUrl);
  return () => catcher.stop();
}

/** The run's catcher, inside a test file. */
export function testMailCatcher(): { smtpUrl: string; inbox: MailInbox } {
  return { smtpUrl: inject('tagwardSmtpUrl'), inbox: new MailInbox(inject('tagwardMailWebUrl')) };
}
