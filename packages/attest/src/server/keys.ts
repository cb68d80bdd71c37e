/**
 * Issuer key material for token type 0x0002. Keys are plain 2048-bit RSA keys ('rsa', not
 * 'rsa-pss'): OpenSSL refuses the raw private operation on an 'rsa-pss' key, and the PSS
 * parameters are pinned where they matter, in the published SPKI (see shared/spki.ts).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { fromBase64Url, toBase64Url } from '../shared/bytes.js';
import { bytesToBigInt } from '../shared/bigint.js';
import { encodeRsaPssSpki } from '../shared/spki.js';
import { NK } from '../shared/wire.js';

export interface IssuerKeyConfig {
  /** PKCS#8 PEM, or a KeyObject, of a 2048-bit RSA private key (type 'rsa'). */
  privateKey: KeyObject | string;
  /** Unix seconds from which the key signs and is listed in the directory. */
  notBefore: number;
  /** Unix seconds from which the key no longer signs (its successor has taken over). */
  retireAt?: number;
  /**
   * Unix seconds after which tokens signed by the key are refused as 'expired_key'. Set it to
   * retireAt plus the longest a client may hold a token (tab lifetime), the overlap window.
   */
  expiresAt?: number;
}

/** What anyone may know about a key: enough to verify tokens and to pick it for issuance. */
export interface PublicTokenKey {
  /** SPKI (RSASSA-PSS OID) bytes, published as `token-key`. */
  spki: Uint8Array;
  /** token_key_id = SHA-256(spki). */
  keyId: Uint8Array;
  notBefore: number;
  retireAt?: number;
  expiresAt?: number;
}

export interface LoadedIssuerKey extends PublicTokenKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Modulus, big-endian, Nk bytes: BlindSign must refuse inputs >= n (RFC 9474 §4.2). */
  modulus: Uint8Array;
}

/**
 * Generates a fresh issuer key as PKCS#8 PEM, for the key store the beacon reads at start-up.
 *
 * @example
 * const pem = generateIssuerKeyPem();
 * const issuer = createIssuer({ keys: [{ privateKey: pem, notBefore: Math.floor(Date.now() / 1000) }] });
 */
export function generateIssuerKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicExponent: 0x10001,
  });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function loadIssuerKey(config: IssuerKeyConfig): LoadedIssuerKey {
  const privateKey =
    typeof config.privateKey === 'string' ? createPrivateKey(config.privateKey) : config.privateKey;
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError('issuer key must be an RSA private key (type "rsa")');
  }
  const jwk = privateKey.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string')
    throw new TypeError('issuer key: missing n/e');
  const modulus = fromBase64Url(jwk.n);
  if (modulus.length !== NK || ((modulus[0] as number) & 0x80) === 0) {
    throw new TypeError('issuer key must have a 2048-bit modulus (RFC 9578 §6)');
  }
  const spki = encodeRsaPssSpki(bytesToBigInt(modulus), bytesToBigInt(fromBase64Url(jwk.e)));
  const key: LoadedIssuerKey = {
    privateKey,
    publicKey: createPublicKey(privateKey),
    modulus,
    spki,
    keyId: new Uint8Array(createHash('sha256').update(spki).digest()),
    notBefore: config.notBefore,
  };
  if (config.retireAt !== undefined) key.retireAt = config.retireAt;
  if (config.expiresAt !== undefined) key.expiresAt = config.expiresAt;
  return key;
}

export function publicPart(key: PublicTokenKey): PublicTokenKey {
  const out: PublicTokenKey = { spki: key.spki, keyId: key.keyId, notBefore: key.notBefore };
  if (key.retireAt !== undefined) out.retireAt = key.retireAt;
  if (key.expiresAt !== undefined) out.expiresAt = key.expiresAt;
  return out;
}

/** A verification key in a JSON-friendly shape, as a beacon reads it from config. */
export interface VerificationKey {
  /** base64url SPKI (the directory's `token-key`), or the raw bytes. */
  tokenKey: string | Uint8Array;
  notBefore?: number;
  expiresAt?: number;
}

export function toVerificationKey(key: PublicTokenKey): VerificationKey {
  const out: VerificationKey = { tokenKey: toBase64Url(key.spki), notBefore: key.notBefore };
  if (key.expiresAt !== undefined) out.expiresAt = key.expiresAt;
  return out;
}
