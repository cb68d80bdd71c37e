/**
 * The Privacy Pass issuer for token type 0x0002: request parsing and key selection around
 * BlindSign (server/blind-sign.ts), and the issuer directory (RFC 9578 §4) with key rotation.
 */
import {
  decodeBatchRequest,
  decodeTokenRequest,
  encodeBatchResponse,
  MAX_BATCH,
  TOKEN_TYPE_BLIND_RSA,
  type TokenRequest,
} from '../shared/wire.js';
import { blindSign } from './blind-sign.js';
import { AttestError } from './errors.js';
import {
  loadIssuerKey,
  publicPart,
  toVerificationKey,
  type IssuerKeyConfig,
  type LoadedIssuerKey,
  type PublicTokenKey,
  type VerificationKey,
} from './keys.js';

export interface IssuerOptions {
  keys: readonly IssuerKeyConfig[];
  /** Clock in milliseconds; injectable so rotation is testable. */
  now?: () => number;
  /** `issuer-request-uri` of the directory: absolute, or relative to the directory URL. */
  issuerRequestUri?: string;
  /**
   * How long before its not-before a new key is listed (default 3600 s). Must exceed the
   * directory's cache lifetime, so that a client holding a cached directory already knows the
   * key a challenge names at the moment of rotation.
   */
  announceAheadSeconds?: number;
}

/** RFC 9578 §4 directory body. */
export interface IssuerDirectory {
  'issuer-request-uri': string;
  'token-keys': Array<{ 'token-type': number; 'token-key': string; 'not-before': number }>;
}

export interface Issuer {
  /** One RFC 9578 TokenRequest in, one TokenResponse (the blind signature) out. */
  issue(tokenRequest: Uint8Array): Uint8Array;
  /** Tagward batch: N TokenRequests in, N TokenResponses out, all-or-nothing. */
  issueBatch(batchRequest: Uint8Array, limit?: number): { response: Uint8Array; count: number };
  directory(): IssuerDirectory;
  /** The key clients should blind for now (newest one in its issuing window). */
  currentKey(): PublicTokenKey;
  /** Every key a verifier should know, retired and expired ones included (for 'expired_key'). */
  verificationKeys(): VerificationKey[];
}

function nowSeconds(now: () => number): number {
  return Math.floor(now() / 1000);
}

function isIssuing(key: PublicTokenKey, t: number): boolean {
  return key.notBefore <= t && (key.retireAt === undefined || t < key.retireAt);
}

function isListed(key: PublicTokenKey, t: number, ahead: number): boolean {
  return key.notBefore <= t + ahead && (key.expiresAt === undefined || t < key.expiresAt);
}

/**
 * Creates an issuer over a set of keys. Several keys overlap during a rotation: the newest key
 * in its issuing window signs, older ones stay listed (and verifiable) until they expire.
 *
 * @example
 * const issuer = createIssuer({ keys: [{ privateKey: pem, notBefore: 1_700_000_000 }] });
 * const tokenResponse = issuer.issue(tokenRequestBytes);
 */
export function createIssuer(options: IssuerOptions): Issuer {
  const now = options.now ?? Date.now;
  const ahead = options.announceAheadSeconds ?? 3600;
  const keys: LoadedIssuerKey[] = options.keys.map(loadIssuerKey);
  if (keys.length === 0) throw new TypeError('createIssuer: at least one key');
  const truncated = new Set<number>();
  for (const key of keys) {
    const id = key.keyId[31] as number;
    // RFC 9578 routes requests by the last byte of the key id; two live keys sharing it would
    // make requests ambiguous, so refuse the configuration instead of guessing.
    if (truncated.has(id))
      throw new TypeError('createIssuer: two keys share a truncated key id; regenerate one');
    truncated.add(id);
  }
  // Newest first: both the directory order and the choice of the current key follow it.
  keys.sort((a, b) => b.notBefore - a.notBefore);

  function keyFor(request: TokenRequest): LoadedIssuerKey {
    if (request.tokenType !== TOKEN_TYPE_BLIND_RSA) throw new AttestError('unsupported_token_type');
    const t = nowSeconds(now);
    const key = keys.find((k) => k.keyId[31] === request.truncatedTokenKeyId && isIssuing(k, t));
    if (!key) throw new AttestError('unknown_key', 'no issuing key with this truncated key id');
    return key;
  }

  function decodeOrThrow<T>(decode: () => T): T {
    try {
      return decode();
    } catch (error) {
      if (error instanceof RangeError && /token type/.test(error.message))
        throw new AttestError('unsupported_token_type');
      throw new AttestError(
        'malformed_request',
        error instanceof Error ? error.message : 'malformed',
      );
    }
  }

  return {
    issue(tokenRequest) {
      const request = decodeOrThrow(() => decodeTokenRequest(tokenRequest));
      return blindSign(keyFor(request), request.blindedMsg);
    },
    issueBatch(batchRequest, limit = MAX_BATCH) {
      const requests = decodeOrThrow(() => decodeBatchRequest(batchRequest));
      if (requests.length > limit)
        throw new AttestError('too_many_tokens', `at most ${limit} tokens per batch`);
      // Resolve every key first so a bad entry fails the batch before any signing work is spent.
      const resolved = requests.map((request) => ({
        key: keyFor(request),
        blindedMsg: request.blindedMsg,
      }));
      const sigs = resolved.map(({ key, blindedMsg }) => blindSign(key, blindedMsg));
      return { response: encodeBatchResponse(sigs), count: sigs.length };
    },
    directory() {
      const t = nowSeconds(now);
      // Newest not-before first: RFC 9578 §4 has clients take the first key whose not-before
      // has passed, so an announced future key sits first and is skipped until its time.
      const listed = keys.filter((k) => isListed(k, t, ahead));
      return {
        'issuer-request-uri': options.issuerRequestUri ?? '/v1/attest/issue',
        'token-keys': listed.map((k) => ({
          'token-type': TOKEN_TYPE_BLIND_RSA,
          // RFC 9578 §4: base64url of the SPKI, including padding.
          'token-key': Buffer.from(k.spki)
            .toString('base64')
            .replace(/\+/g, '-')
            .replace(/\//g, '_'),
          'not-before': k.notBefore,
        })),
      };
    },
    currentKey() {
      const t = nowSeconds(now);
      const current = keys.find((k) => isIssuing(k, t));
      if (!current) throw new AttestError('unknown_key', 'no key in its issuing window');
      return publicPart(current);
    },
    verificationKeys() {
      return keys.map(toVerificationKey);
    },
  };
}
