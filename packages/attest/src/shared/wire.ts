/**
 * Privacy Pass wire formats for token type 0x0002 (publicly verifiable, blind RSA):
 * TokenChallenge (RFC 9577 §2.1), TokenRequest / TokenResponse (RFC 9578 §6.1–6.2),
 * Token (RFC 9577 §2.2, RFC 9578 §6.3), plus Tagward's batch envelopes.
 * Every decoder rejects truncated input and trailing bytes.
 */
import { ByteReader, concatBytes, fromUtf8, sha256, u16, utf8 } from './bytes.js';

/** Blind RSA (2048-bit), RFC 9578 §6. */
export const TOKEN_TYPE_BLIND_RSA = 0x0002;
/** Nk: the size of a blind signature and of an authenticator, in bytes (2048-bit modulus). */
export const NK = 256;
/** Nid: the size of token_key_id (SHA-256 of the SPKI). */
export const NID = 32;
export const NONCE_LENGTH = 32;
/** Token = token_type(2) || nonce(32) || challenge_digest(32) || token_key_id(32) || authenticator(Nk). */
export const TOKEN_LENGTH = 2 + NONCE_LENGTH + 32 + NID + NK;
/** The signed token input is the first 98 bytes of the token: everything but the authenticator. */
export const TOKEN_INPUT_LENGTH = TOKEN_LENGTH - NK;
/** Most TokenRequests one batch may carry; the 2-byte vector length allows 255 of 259 bytes. */
export const MAX_BATCH = 255;

export const MEDIA_TYPE_TOKEN_REQUEST = 'application/private-token-request';
export const MEDIA_TYPE_TOKEN_RESPONSE = 'application/private-token-response';
export const MEDIA_TYPE_BATCH_REQUEST = 'application/private-token-batch-request';
export const MEDIA_TYPE_BATCH_RESPONSE = 'application/private-token-batch-response';
export const MEDIA_TYPE_DIRECTORY = 'application/private-token-issuer-directory';
export const DIRECTORY_PATH = '/.well-known/private-token-issuer-directory';

export interface TokenChallenge {
  tokenType: number;
  /** Host name of the issuer (here: the beacon's host). */
  issuerName: string;
  /** Empty, or exactly 32 bytes (RFC 9577 §2.1.1). */
  redemptionContext: Uint8Array;
  /** Origins where the token may be redeemed; an empty list means any origin. */
  originInfo: readonly string[];
}

export function encodeTokenChallenge(challenge: TokenChallenge): Uint8Array {
  const issuer = utf8(challenge.issuerName);
  const origins = utf8(challenge.originInfo.join(','));
  const context = challenge.redemptionContext;
  if (issuer.length < 1 || issuer.length > 0xffff) throw new RangeError('issuer_name length');
  if (origins.length > 0xffff) throw new RangeError('origin_info length');
  if (context.length !== 0 && context.length !== 32)
    throw new RangeError('redemption_context must be 0 or 32 bytes');
  return concatBytes(
    u16(challenge.tokenType),
    u16(issuer.length),
    issuer,
    new Uint8Array([context.length]),
    context,
    u16(origins.length),
    origins,
  );
}

export function decodeTokenChallenge(bytes: Uint8Array): TokenChallenge {
  const r = new ByteReader(bytes);
  const tokenType = r.u16();
  const issuerLength = r.u16();
  if (issuerLength < 1) throw new RangeError('empty issuer_name');
  const issuerName = fromUtf8(r.take(issuerLength));
  const contextLength = r.u8();
  if (contextLength !== 0 && contextLength !== 32)
    throw new RangeError('redemption_context must be 0 or 32 bytes');
  const redemptionContext = r.take(contextLength).slice();
  const origins = fromUtf8(r.take(r.u16()));
  r.end();
  return {
    tokenType,
    issuerName,
    redemptionContext,
    originInfo: origins === '' ? [] : origins.split(','),
  };
}

/** challenge_digest = SHA-256(TokenChallenge) (RFC 9577 §2.2). */
export function challengeDigest(challengeBytes: Uint8Array): Promise<Uint8Array> {
  return sha256(challengeBytes);
}

export interface TokenRequest {
  tokenType: number;
  /** Last byte of token_key_id (RFC 9578 §6.1). */
  truncatedTokenKeyId: number;
  blindedMsg: Uint8Array;
}

export function encodeTokenRequest(request: TokenRequest): Uint8Array {
  if (request.blindedMsg.length !== NK) throw new RangeError('blinded_msg must be Nk bytes');
  return concatBytes(
    u16(request.tokenType),
    new Uint8Array([request.truncatedTokenKeyId]),
    request.blindedMsg,
  );
}

function readTokenRequest(r: ByteReader): TokenRequest {
  const tokenType = r.u16();
  if (tokenType !== TOKEN_TYPE_BLIND_RSA) throw new RangeError('unsupported token type');
  return { tokenType, truncatedTokenKeyId: r.u8(), blindedMsg: r.take(NK) };
}

export function decodeTokenRequest(bytes: Uint8Array): TokenRequest {
  const r = new ByteReader(bytes);
  const request = readTokenRequest(r);
  r.end();
  return request;
}

/** TokenResponse for type 0x0002 is the bare blind signature (RFC 9578 §6.2). */
export function decodeTokenResponse(bytes: Uint8Array): Uint8Array {
  if (bytes.length !== NK) throw new RangeError('blind_sig must be Nk bytes');
  return bytes;
}

/**
 * Batch envelope (Tagward's, shaped like the IETF batched-tokens draft but not claiming wire
 * compatibility with it): `TokenRequest token_requests<1..2^16-1>`, a 2-byte byte-length prefix
 * followed by whole TokenRequests.
 */
export function encodeBatchRequest(requests: readonly TokenRequest[]): Uint8Array {
  if (requests.length < 1 || requests.length > MAX_BATCH) throw new RangeError('batch size');
  const body = concatBytes(...requests.map(encodeTokenRequest));
  return concatBytes(u16(body.length), body);
}

export function decodeBatchRequest(bytes: Uint8Array): TokenRequest[] {
  const r = new ByteReader(bytes);
  const inner = new ByteReader(r.take(r.u16()));
  r.end();
  const requests: TokenRequest[] = [];
  while (inner.remaining > 0) requests.push(readTokenRequest(inner));
  if (requests.length < 1) throw new RangeError('empty batch');
  return requests;
}

/** `TokenResponse token_responses<0..2^16-1>`, in the order of the requests. */
export function encodeBatchResponse(blindSigs: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes(...blindSigs);
  return concatBytes(u16(body.length), body);
}

export function decodeBatchResponse(bytes: Uint8Array): Uint8Array[] {
  const r = new ByteReader(bytes);
  const inner = new ByteReader(r.take(r.u16()));
  r.end();
  const out: Uint8Array[] = [];
  while (inner.remaining > 0) out.push(inner.take(NK));
  return out;
}

export interface Token {
  tokenType: number;
  nonce: Uint8Array;
  challengeDigest: Uint8Array;
  tokenKeyId: Uint8Array;
  authenticator: Uint8Array;
}

/** token_input = token_type || nonce || challenge_digest || token_key_id (RFC 9578 §6.1). */
export function encodeTokenInput(token: Omit<Token, 'authenticator'>): Uint8Array {
  if (
    token.nonce.length !== NONCE_LENGTH ||
    token.challengeDigest.length !== 32 ||
    token.tokenKeyId.length !== NID
  ) {
    throw new RangeError('token field length');
  }
  return concatBytes(u16(token.tokenType), token.nonce, token.challengeDigest, token.tokenKeyId);
}

export function encodeToken(token: Token): Uint8Array {
  if (token.authenticator.length !== NK) throw new RangeError('authenticator must be Nk bytes');
  return concatBytes(encodeTokenInput(token), token.authenticator);
}

/** Decodes a type 0x0002 token. Field views share the input buffer (no copies on the hot path). */
export function decodeToken(bytes: Uint8Array): Token {
  if (bytes.length !== TOKEN_LENGTH) throw new RangeError('token length');
  const r = new ByteReader(bytes);
  const tokenType = r.u16();
  if (tokenType !== TOKEN_TYPE_BLIND_RSA) throw new RangeError('unsupported token type');
  return {
    tokenType,
    nonce: r.take(NONCE_LENGTH),
    challengeDigest: r.take(32),
    tokenKeyId: r.take(NID),
    authenticator: r.take(NK),
  };
}

/** token_key_id = SHA-256(SPKI of the issuer key) (RFC 9578 §6.5). */
export function tokenKeyId(spki: Uint8Array): Promise<Uint8Array> {
  return sha256(spki);
}
