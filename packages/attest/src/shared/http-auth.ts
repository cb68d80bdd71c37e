/**
 * The HTTP authentication scheme of RFC 9577 §2: `WWW-Authenticate: PrivateToken challenge=…,
 * token-key=…` from the origin and `Authorization: PrivateToken token=…` from the client.
 * Values are base64url; we send them without padding and accept either form.
 */
import { fromBase64Url, toBase64Url } from './bytes.js';

export const AUTH_SCHEME = 'PrivateToken';

export function formatWwwAuthenticate(
  challenge: Uint8Array,
  tokenKey: Uint8Array,
  maxAge?: number,
): string {
  let value = `${AUTH_SCHEME} challenge="${toBase64Url(challenge)}", token-key="${toBase64Url(tokenKey)}"`;
  if (maxAge !== undefined) value += `, max-age="${Math.floor(maxAge)}"`;
  return value;
}

export function formatAuthorization(token: Uint8Array): string {
  return `${AUTH_SCHEME} token="${toBase64Url(token)}"`;
}

/** Splits `Scheme a="x", b=y` into its parameters (lower-cased names). Null for another scheme. */
function parseParams(header: string): Map<string, string> | null {
  const match = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s+(.*)$/s.exec(header);
  if (!match || match[1]!.toLowerCase() !== AUTH_SCHEME.toLowerCase()) return null;
  const params = new Map<string, string>();
  const re = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))\s*(?:,|$)/gy;
  const rest = match[2]!;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(rest)) !== null && m[0] !== '') {
    params.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? '');
    consumed = re.lastIndex;
  }
  if (rest.slice(consumed).trim() !== '') return null;
  return params;
}

export interface ParsedChallenge {
  challenge: Uint8Array;
  tokenKey: Uint8Array;
  maxAge?: number;
}

/** Parses one `PrivateToken` challenge; null when the header is another scheme or malformed. */
export function parseWwwAuthenticate(header: string): ParsedChallenge | null {
  const params = parseParams(header);
  const challenge = params?.get('challenge');
  const tokenKey = params?.get('token-key');
  if (!params || challenge === undefined || tokenKey === undefined) return null;
  try {
    const parsed: ParsedChallenge = {
      challenge: fromBase64Url(challenge),
      tokenKey: fromBase64Url(tokenKey),
    };
    const maxAge = params.get('max-age');
    if (maxAge !== undefined && /^\d+$/.test(maxAge)) parsed.maxAge = Number(maxAge);
    return parsed;
  } catch {
    return null;
  }
}

/** Extracts the token bytes from `Authorization: PrivateToken token="…"`; null otherwise. */
export function parseAuthorization(header: string): Uint8Array | null {
  const token = parseParams(header)?.get('token');
  if (token === undefined) return null;
  try {
    return fromBase64Url(token);
  } catch {
    return null;
  }
}
