import type { MailMessage } from './mailer.js';

/**
 * Every mail the accounts code sends. Each says plainly what happened and what the link does, so
 * the screens can say the same thing whatever happened ("check your inbox") without leaving the
 * reader of the mail guessing. Plain text first; the HTML is the same words, escaped.
 */
interface MailBody {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Said after the link (how long it works, what to do if it was not you). */
  after?: string[];
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderMail(to: string, body: MailBody): MailMessage {
  const after = body.after ?? [];
  const text = [
    ...body.paragraphs,
    ...(body.action ? [`${body.action.label}:\n${body.action.url}`] : []),
    ...after,
    '— Tagward',
  ].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1f2933;max-width:36rem">',
    ...body.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    ...(body.action
      ? [`<p><a href="${escapeHtml(body.action.url)}" style="display:inline-block;padding:.5rem 1rem;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(body.action.label)}</a></p>`, `<p style="font-size:.875rem;color:#52606d">${escapeHtml(body.action.url)}</p>`]
      : []),
    ...after.map((p) => `<p style="font-size:.875rem;color:#52606d">${escapeHtml(p)}</p>`),
    '<p>— Tagward</p></body></html>',
  ].join('\n');
  return { to, subject: body.subject, text, html };
}

const NOT_YOU = 'If this was not you, you can ignore this mail: nothing changes without the link.';

export function verifyEmailMail(to: string, url: string): MailMessage {
  return renderMail(to, {
    subject: 'Confirm your email address for Tagward',
    paragraphs: ['Someone (we hope you) created a Tagward account with this address.', 'Open the link to confirm the address and log in.'],
    action: { label: 'Confirm my email', url },
    after: ['The link works once, for 24 hours.', NOT_YOU],
  });
}

/** Sign-up with an address that already has an account: the mail, not the screen, says so. */
export function signUpExistingMail(to: string, resetUrl: string, loginUrl: string): MailMessage {
  return renderMail(to, {
    subject: 'You already have a Tagward account',
    paragraphs: [
      'Someone tried to create a Tagward account with this address, but it already has one. No new account was made and the password of the existing one did not change.',
      `If it was you, log in at ${loginUrl}. If you forgot the password, or never made this account yourself, set a new password with the link below: it ends every session of the account.`,
    ],
    action: { label: 'Set a new password', url: resetUrl },
    after: ['The link works once, for 1 hour.', NOT_YOU],
  });
}

export function resetPasswordMail(to: string, url: string): MailMessage {
  return renderMail(to, {
    subject: 'Reset your Tagward password',
    paragraphs: ['Someone asked to reset the password of the Tagward account with this address.', 'Open the link to choose a new password. Every session of the account ends when you do.'],
    action: { label: 'Choose a new password', url },
    after: ['The link works once, for 1 hour.', NOT_YOU],
  });
}

export function resetUnknownMail(to: string, signUpUrl: string): MailMessage {
  return renderMail(to, {
    subject: 'Tagward password reset: no account with this address',
    paragraphs: [
      'Someone asked to reset the password of a Tagward account with this address, but no account uses it. Nothing was changed.',
      `If you meant to create an account, sign up at ${signUpUrl}. You may have used another address.`,
    ],
    after: [NOT_YOU],
  });
}

export function loginLinkMail(to: string, url: string): MailMessage {
  return renderMail(to, {
    subject: 'Your Tagward sign-in link',
    paragraphs: [
      'Your account has had many failed login attempts from other places, so a login from an address you have not used before needs this link as well as your password.',
      'Your password was right. Open the link to finish logging in.',
    ],
    action: { label: 'Log in to Tagward', url },
    after: ['The link works once, for 15 minutes.', 'If you did not just log in, someone knows your password: change it now.'],
  });
}

export function invitationMail(to: string, details: { siteName: string; role: string; inviter: string; url: string }): MailMessage {
  return renderMail(to, {
    subject: `${details.inviter} invited you to “${details.siteName}” on Tagward`,
    paragraphs: [
      `${details.inviter} invited this address to the site “${details.siteName}” on Tagward, as ${details.role === 'owner' ? 'an owner (full control)' : 'a viewer (read only)'}.`,
      'Open the link to accept. If you have no Tagward account yet, you can create one there.',
    ],
    action: { label: 'Accept the invitation', url: details.url },
    after: ['The invitation works once and expires in 7 days.', 'If you do not know this person, ignore this mail: nothing happens without the link.'],
  });
}

export function securityNoticeMail(to: string, what: string, loginUrl: string): MailMessage {
  return renderMail(to, {
    subject: `Tagward security notice: ${what}`,
    paragraphs: [`This is to let you know: ${what} on your Tagward account.`, `If this was not you, log in at ${loginUrl}, change your password and check your two-factor settings.`],
  });
}

export function accountDeletedMail(to: string, summary: string[]): MailMessage {
  return renderMail(to, {
    subject: 'Your Tagward account was deleted',
    paragraphs: ['Your Tagward account and its sessions were deleted, as you asked.', ...summary],
  });
}
