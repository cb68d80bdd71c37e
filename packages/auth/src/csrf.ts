/**
 * CSRF defence for cookie-authenticated mutations, without tokens: browsers send `Origin` on
 * every POST and `Sec-Fetch-Site` on every request, and page scripts cannot forge either. A
 * request passes when its Origin is our own host (or a configured dashboard origin) or, for
 * browsers that omit Origin, when Sec-Fetch-Site says same-origin. A request with neither header
 * is refused: no browser we support sends a mutation like that, and refusing it costs a
 * non-browser client nothing but one header.
 */

export type OriginCheck =
  | { ok: true }
  | { ok: false; reason: 'cross_origin' | 'cross_site_fetch' | 'missing_origin' };

export interface OriginCheckInput {
  /** The `Origin` request header, if any. */
  origin: string | undefined;
  /** The `Sec-Fetch-Site` request header, if any. */
  secFetchSite: string | undefined;
  /** The `Host` the request was sent to (`example.com:8443`). */
  host: string | undefined;
  /** Extra origins allowed to call us (a dashboard served from another origin in development). */
  trustedOrigins?: readonly string[];
}

export function verifyRequestOrigin(input: OriginCheckInput): OriginCheck {
  const { origin, secFetchSite, host } = input;
  if (origin !== undefined && origin !== '') {
    if (origin === 'null') return { ok: false, reason: 'cross_origin' };
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return { ok: false, reason: 'cross_origin' };
    }
    if (host !== undefined && parsed.host === host.toLowerCase()) return { ok: true };
    if (input.trustedOrigins?.includes(parsed.origin)) return { ok: true };
    return { ok: false, reason: 'cross_origin' };
  }
  if (secFetchSite !== undefined) {
    return secFetchSite === 'same-origin' ? { ok: true } : { ok: false, reason: 'cross_site_fetch' };
  }
  return { ok: false, reason: 'missing_origin' };
}
