/** The wire format of a page token (the layout is drawn in page-token.ts): encode and decode. */
import { decodeCanonicalBase64url } from './base64url.js';
import { checkClaims, isPageTokenOriginClaim, isPageTokenPathClaim } from './page-token-claims.js';
import {
  KID_PATTERN,
  PAGE_TOKEN_MAX_LENGTH,
  PAGE_TOKEN_MAX_TTL_MS,
  PAGE_TOKEN_NONCE_BYTES,
  PAGE_TOKEN_PREFIX,
  PageTokenError,
  type PageTokenClaims,
  type PageTokenDecodeResult,
} from './page-token.js';

const KID_LENGTH = 16;
const MAC_BYTES = 32;
const MAC_CHARS = 43; // base64url of 32 bytes, unpadded
const FIXED_BYTES = KID_LENGTH + 6 + 6 + PAGE_TOKEN_NONCE_BYTES; // 44
const PREFIX_DOT = `${PAGE_TOKEN_PREFIX}.`;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** `pt1.<base64url(payload)>`: what the MAC is computed over. Throws on claims that do not fit. */
export function encodePayload(claims: PageTokenClaims): string {
  const problem = checkClaims(claims);
  if (problem) throw new PageTokenError(problem, `page token claims rejected: ${problem}`);
  const originLength = claims.origin.length;
  const pathLength = claims.path.length;
  const bytes = Buffer.alloc(FIXED_BYTES + 1 + originLength + 2 + pathLength);
  bytes.write(claims.kid, 0, 'latin1');
  bytes.writeUIntBE(claims.iat, 16, 6);
  bytes.writeUIntBE(claims.exp, 22, 6);
  Buffer.from(claims.nonce, 'base64url').copy(bytes, 28);
  bytes.writeUInt8(originLength, FIXED_BYTES);
  bytes.write(claims.origin, FIXED_BYTES + 1, 'latin1');
  bytes.writeUInt16BE(pathLength, FIXED_BYTES + 1 + originLength);
  bytes.write(claims.path, FIXED_BYTES + 3 + originLength, 'latin1');
  return `${PREFIX_DOT}${bytes.toString('base64url')}`;
}

/**
 * Assembles a token from claims and an already computed MAC. Most callers want
 * {@link signPageToken}; this exists so the codec can be tested (and reused) on its own.
 * Throws {@link PageTokenError} if the claims do not fit the format.
 *
 * @example
 * const token = encodePageToken(claims, mac); // 'pt1.<payload>.<mac>'
 * decodePageToken(token); // { ok: true, token: { claims, signingInput, mac } }
 */
export function encodePageToken(claims: PageTokenClaims, mac: Uint8Array): string {
  if (mac.length !== MAC_BYTES) {
    throw new PageTokenError('bad_length', `a page token MAC is ${MAC_BYTES} bytes`);
  }
  return `${encodePayload(claims)}.${Buffer.from(mac).toString('base64url')}`;
}

/**
 * Parses a token's structure without checking its signature. Never throws: a bad input gives
 * `{ ok: false, code }` with a stable {@link PageTokenErrorCode}. Strict: one canonical spelling
 * per token, no trailing bytes, claims within the format's limits.
 *
 * @example
 * const decoded = decodePageToken(payload.token);
 * if (!decoded.ok) return { status: 'malformed', detail: decoded.code };
 * decoded.token.claims.kid; // look the key up by id, then verifyPageTokenSignature
 */
export function decodePageToken(token: unknown): PageTokenDecodeResult {
  if (typeof token !== 'string') return { ok: false, code: 'not_a_string' };
  if (token.length > PAGE_TOKEN_MAX_LENGTH) return { ok: false, code: 'too_long' };
  if (!token.startsWith(PREFIX_DOT)) {
    return { ok: false, code: /^pt[0-9]+\./.test(token) ? 'unsupported_version' : 'bad_structure' };
  }
  const dot = token.indexOf('.', PREFIX_DOT.length);
  if (dot < 0 || token.indexOf('.', dot + 1) >= 0) return { ok: false, code: 'bad_structure' };
  const macText = token.slice(dot + 1);
  if (macText.length !== MAC_CHARS) return { ok: false, code: 'bad_length' };
  const payload = decodeCanonicalBase64url(token.slice(PREFIX_DOT.length, dot));
  const mac = decodeCanonicalBase64url(macText);
  if (!payload || !mac) return { ok: false, code: 'bad_base64' };
  if (payload.length < FIXED_BYTES + 3) return { ok: false, code: 'bad_length' };

  const originLength = payload.readUInt8(FIXED_BYTES);
  const pathLengthAt = FIXED_BYTES + 1 + originLength;
  if (payload.length < pathLengthAt + 2) return { ok: false, code: 'bad_length' };
  const pathLength = payload.readUInt16BE(pathLengthAt);
  if (payload.length !== pathLengthAt + 2 + pathLength) return { ok: false, code: 'bad_length' };

  const kid = payload.toString('latin1', 0, KID_LENGTH);
  if (!KID_PATTERN.test(kid)) return { ok: false, code: 'bad_kid' };
  const iat = payload.readUIntBE(16, 6);
  const exp = payload.readUIntBE(22, 6);
  if (exp <= iat) return { ok: false, code: 'bad_times' };
  if (exp - iat > PAGE_TOKEN_MAX_TTL_MS) return { ok: false, code: 'ttl_too_long' };
  const nonce = payload.toString('base64url', 28, FIXED_BYTES);
  const origin = payload.toString('latin1', FIXED_BYTES + 1, pathLengthAt);
  if (!isAscii(origin) || !isPageTokenOriginClaim(origin)) return { ok: false, code: 'bad_origin' };
  const path = payload.toString('latin1', pathLengthAt + 2);
  if (!isAscii(path) || !isPageTokenPathClaim(path)) return { ok: false, code: 'bad_path' };

  return {
    ok: true,
    token: {
      claims: { kid, origin, path, iat, exp, nonce },
      signingInput: token.slice(0, dot),
      mac,
    },
  };
}
