/**
 * The pathname and origin of a beacon's page URL, without a full URL parse in the common case.
 * `new URL()` is a fifth of a token verification's cost; `location.href` as browsers report it
 * is already canonical, so when the URL starts with the token's origin and its path holds only
 * characters the URL parser leaves alone (no `%`, no dot segments, no backslash), slicing gives
 * exactly `new URL(url).pathname`. Anything else takes the full parse.
 */
const SIMPLE_PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;

export interface PageUrlParts {
  origin: string;
  pathname: string;
}

export function pageUrlParts(url: string, expectedOrigin: string): PageUrlParts | undefined {
  if (url.startsWith(expectedOrigin) && url.charCodeAt(expectedOrigin.length) === 0x2f) {
    let end = url.length;
    const query = url.indexOf('?', expectedOrigin.length);
    if (query >= 0) end = query;
    const hash = url.indexOf('#', expectedOrigin.length);
    if (hash >= 0 && hash < end) end = hash;
    const pathname = url.slice(expectedOrigin.length, end);
    if (SIMPLE_PATH.test(pathname) && !pathname.includes('/.')) {
      return { origin: expectedOrigin, pathname };
    }
  }
  try {
    const parsed = new URL(url);
    return { origin: parsed.origin, pathname: parsed.pathname };
  } catch {
    return undefined;
  }
}
