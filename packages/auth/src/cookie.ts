/**
 * The session cookie. `HttpOnly` keeps it away from page scripts, `SameSite=Lax` keeps it off
 * cross-site subrequests and POSTs, `Secure` keeps it off plain HTTP. With `Secure` we also use
 * the `__Host-` prefix, which makes the browser refuse a cookie of that name set by a sibling
 * subdomain or without `Path=/`.
 */

export const SECURE_COOKIE_NAME = '__Host-tagward_session';
/** Only for plain-http localhost, where browsers refuse `Secure` cookies and `__Host-` names. */
export const DEV_COOKIE_NAME = 'tagward_session';

export type CookieSecurePolicy = 'auto' | 'always';

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * `auto`: Secure everywhere except a plain-http request to a loopback host (local development,
 * the demo and the tests). `always`: Secure even there.
 */
export function shouldUseSecureCookie(
  policy: CookieSecurePolicy,
  request: { protocol: string; hostname: string },
): boolean {
  if (policy === 'always') return true;
  const plainHttp = request.protocol === 'http';
  const local = LOCAL_HOSTNAMES.has(request.hostname) || request.hostname.endsWith('.localhost');
  return !(plainHttp && local);
}

export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_COOKIE_NAME : DEV_COOKIE_NAME;
}

export function serializeSessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const parts = [
    `${sessionCookieName(secure)}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function serializeBlankSessionCookie(secure: boolean): string {
  const parts = [`${sessionCookieName(secure)}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0'];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

/** Parses a `Cookie` header. Later duplicates do not override the first value (RFC 6265 order). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * The session token from a `Cookie` header, read under the one name this request uses. A secure
 * request reads only the `__Host-` cookie: accepting the plain name too would let a cookie set by
 * a sibling subdomain (which cannot set `__Host-` names) log the victim into the attacker's
 * account. The plain name is read only on plain-http localhost, where `__Host-` cannot work.
 */
export function readSessionToken(cookieHeader: string | undefined, secure: boolean): string | null {
  return parseCookieHeader(cookieHeader).get(sessionCookieName(secure)) || null;
}
