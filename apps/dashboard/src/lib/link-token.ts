/**
 * Mailed links carry their token in the URL fragment (`/verify-email#token=…`): browsers send
 * fragments to no server, so the token stays out of access logs and Referer headers. The pages
 * read it here and then drop it from the address bar.
 */
/** What a page says when its link came without a token (cut short when it was copied). */
export const INCOMPLETE_LINK = 'This link is not complete. Copy the whole link from the mail.';

export function takeLinkToken(location: Location = window.location): string | null {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (token) history.replaceState(history.state, '', location.pathname + location.search);
  return token;
}

/** Where the invitation token waits while its invitee logs in (the login page drops fragments). */
const INVITE_KEY = 'tagward:invitation';

export function rememberInvitation(token: string): void {
  sessionStorage.setItem(INVITE_KEY, token);
}

export function rememberedInvitation(): string | null {
  return sessionStorage.getItem(INVITE_KEY);
}

export function forgetInvitation(): void {
  sessionStorage.removeItem(INVITE_KEY);
}
