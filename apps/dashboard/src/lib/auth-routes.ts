/**
 * Where the session guards send people. Pure, so the rules are unit-tested; the layouts of the
 * `(app)` and `(public)` route groups apply them.
 */

/** The login page, remembering where the visitor was going. */
export function loginHref(url: URL): string {
  return `/login?next=${encodeURIComponent(url.pathname + url.search)}`;
}

/**
 * Where to go after logging in. Only same-site paths: `next` comes from the address bar, and must
 * never send the user to another origin (`//evil.example` is a network-path reference).
 */
export function afterLoginHref(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/sites';
  return next;
}

/** Home of a logged-in user: where `/`, `/login` and `/signup` send them. */
export const HOME = '/sites';
