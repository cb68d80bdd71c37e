export { startMailCatcher, type MailCatcherOptions, type RunningMailCatcher } from './catcher.js';
export { MailInbox, linkIn, type CaughtMail, type WaitOptions } from './inbox.js';
