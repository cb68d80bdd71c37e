// Origins of URLs and headers as the signals store them, computed cheaply on the beacon's hot path.
import { parseOrigin } from '@tagward/protocol';

/** An origin and its host, both canonical. */
export interface OriginParse {
  origin: string;
  host: string;
}

/**
 * The origin of an absolute http(s) URL. Browser-built URLs are already canonical, so the common
 * case is a prefix comparison with an origin already known (the page URL and the Referer of a
 * real beacon start with its Origin header), then a slice and a regex; anything unusual goes
 * through WHATWG URL.
 */
export function originOfUrl(url: string, known: OriginParse | null): OriginParse | null {
  if (known !== null && url.startsWith(known.origin)) {
    const next = url.charCodeAt(known.origin.length);
    // NaN: the URL is the bare origin. The next character must end the authority, or
    // https://shop.example.com.evil.net would pass as https://shop.example.com.
    if (Number.isNaN(next) || next === 47 /* / */ || next === 63 /* ? */ || next === 35 /* # */)
      return known;
  }
  const schemeEnd = url.indexOf('://');
  if (schemeEnd === 4 || schemeEnd === 5) {
    let end = url.length;
    for (let i = schemeEnd + 3; i < url.length; i += 1) {
      const c = url.charCodeAt(i);
      if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */ || c === 92 /* \ */) {
        end = i;
        break;
      }
    }
    const candidate = url.slice(0, end);
    const parsed = parseOrigin(candidate);
    if (parsed !== null && url.charCodeAt(end) !== 92) {
      return {
        origin: parsed.canonical
          ? candidate
          : serializeOrigin(parsed.scheme, parsed.host, parsed.port),
        host: parsed.host,
      };
    }
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  return { origin: u.origin, host: u.hostname };
}

export function serializeOrigin(scheme: string, host: string, port: string): string {
  return port === '' ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
}

export function stripFragment(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}
