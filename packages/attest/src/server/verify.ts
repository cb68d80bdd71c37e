/**
 * Redemption of type 0x0002 tokens at the origin (here: the beacon). Verification needs only
 * public keys, so every beacon process can do it; double-spend state lives behind `spend`.
 *
 * Checks run cheapest-first and the spend comes last, so a forged or misdirected token never
 * burns a nonce: parse -> key lookup -> RSASSA-PSS verify -> key expiry -> challenge -> spend.
 */
import {
  createHash,
  createPublicKey,
  constants,
  verify as rsaVerify,
  type KeyObject,
} from 'node:crypto';
import { bytesEqual, fromBase64Url, toHex } from '../shared/bytes.js';
import {
  encodeTokenChallenge,
  NK,
  TOKEN_INPUT_LENGTH,
  TOKEN_LENGTH,
  TOKEN_TYPE_BLIND_RSA,
  type TokenChallenge,
} from '../shared/wire.js';
import type { VerificationKey } from './keys.js';

/**
 * Outcome of one redemption. The names match trust's AttestationStatus minus 'absent' (no token
 * at all, which the beacon decides before calling here).
 */
export type RedemptionOutcome =
  'valid' | 'invalid' | 'double_spent' | 'wrong_origin' | 'expired_key';

export interface RedemptionResult {
  outcome: RedemptionOutcome;
  /** Why, in a few words (for logs and the event's raw signals; never shown to visitors). */
  detail: string;
  /** Hex of the token nonce, when the token parsed (already spent or spent now). */
  nonce?: string;
  /** Hex of token_key_id, when the token parsed. */
  keyId?: string;
}

/**
 * Records a nonce as spent; resolves true for the first caller, false if it was already spent.
 * Must be atomic across processes (a unique index: insert, and treat a duplicate-key error as
 * false).
 */
export type SpendNonce = (nonceHex: string) => Promise<boolean>;

/** What the token must be bound to: a TokenChallenge (struct or encoded), or several. */
export type ExpectedChallenge =
  TokenChallenge | Uint8Array | ReadonlyArray<TokenChallenge | Uint8Array>;

export interface VerifyOptions {
  /** Treated as immutable: its digests are cached by object identity. */
  expectedChallenge: ExpectedChallenge;
  spend: SpendNonce;
  /** Clock override for this call, in ms (defaults to the verifier's clock). */
  at?: number;
}

interface KnownKey {
  keyObject: KeyObject;
  notBefore: number | undefined;
  expiresAt: number | undefined;
}

export interface Verifier {
  verify(token: Uint8Array | string, options: VerifyOptions): Promise<RedemptionResult>;
}

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 } as const;

function digestOf(challenge: TokenChallenge | Uint8Array): Buffer {
  const bytes = challenge instanceof Uint8Array ? challenge : encodeTokenChallenge(challenge);
  return createHash('sha256').update(bytes).digest();
}

/**
 * Caches challenge digests by identity: the beacon passes the same few challenge objects (one
 * per site origin) over and over, and hashing them per token would be wasted work.
 */
const digestCache = new WeakMap<object, Buffer[]>();

function expectedDigests(expected: ExpectedChallenge): Buffer[] {
  const cached = digestCache.get(expected);
  if (cached) return cached;
  const list = Array.isArray(expected) ? expected : [expected as TokenChallenge | Uint8Array];
  const digests = list.map(digestOf);
  digestCache.set(expected, digests);
  return digests;
}

/**
 * Builds a verifier over a set of public keys. KeyObjects are parsed once here, not per token.
 *
 * @example
 * const verifier = createVerifier({ publicKeys: issuer.verificationKeys() });
 * const { outcome } = await verifier.verify(tokenB64, { expectedChallenge, spend });
 */
export function createVerifier(options: {
  publicKeys: readonly VerificationKey[];
  now?: () => number;
}): Verifier {
  const now = options.now ?? Date.now;
  const keys = new Map<string, KnownKey>();
  for (const key of options.publicKeys) {
    const spki = typeof key.tokenKey === 'string' ? fromBase64Url(key.tokenKey) : key.tokenKey;
    // createPublicKey on the RSASSA-PSS SPKI yields an 'rsa-pss' KeyObject whose parameters
    // (SHA-384, salt >= 48) OpenSSL enforces on every verify.
    const keyObject = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    const id = createHash('sha256').update(spki).digest('hex');
    keys.set(id, { keyObject, notBefore: key.notBefore, expiresAt: key.expiresAt });
  }

  return {
    async verify(token, { expectedChallenge, spend, at }) {
      let bytes: Uint8Array;
      try {
        bytes = typeof token === 'string' ? fromBase64Url(token) : token;
      } catch {
        return { outcome: 'invalid', detail: 'not base64url' };
      }
      if (bytes.length !== TOKEN_LENGTH)
        return { outcome: 'invalid', detail: 'wrong token length' };
      const tokenType = ((bytes[0] as number) << 8) | (bytes[1] as number);
      if (tokenType !== TOKEN_TYPE_BLIND_RSA)
        return { outcome: 'invalid', detail: 'unsupported token type' };
      const nonceBytes = bytes.subarray(2, 34);
      const digest = bytes.subarray(34, 66);
      const keyIdHex = toHex(bytes.subarray(66, 98));
      const nonce = toHex(nonceBytes);
      const key = keys.get(keyIdHex);
      if (!key) return { outcome: 'invalid', detail: 'unknown token key', nonce, keyId: keyIdHex };

      const input = bytes.subarray(0, TOKEN_INPUT_LENGTH);
      const authenticator = bytes.subarray(TOKEN_INPUT_LENGTH, TOKEN_INPUT_LENGTH + NK);
      if (!rsaVerify('sha384', input, { key: key.keyObject, ...PSS }, authenticator)) {
        return { outcome: 'invalid', detail: 'bad signature', nonce, keyId: keyIdHex };
      }
      // Expiry is judged only for genuine tokens: 'expired_key' means "really ours, too old",
      // which the dashboard wants to tell apart from forgeries.
      const t = Math.floor((at ?? now()) / 1000);
      if (key.expiresAt !== undefined && t >= key.expiresAt) {
        return { outcome: 'expired_key', detail: 'token key expired', nonce, keyId: keyIdHex };
      }
      if (key.notBefore !== undefined && t < key.notBefore) {
        return { outcome: 'invalid', detail: 'token key not yet valid', nonce, keyId: keyIdHex };
      }
      if (!expectedDigests(expectedChallenge).some((d) => bytesEqual(d, digest))) {
        return {
          outcome: 'wrong_origin',
          detail: 'token bound to another challenge',
          nonce,
          keyId: keyIdHex,
        };
      }
      if (!(await spend(nonce)))
        return { outcome: 'double_spent', detail: 'nonce already spent', nonce, keyId: keyIdHex };
      return { outcome: 'valid', detail: 'ok', nonce, keyId: keyIdHex };
    },
  };
}

const verifierCache = new WeakMap<readonly VerificationKey[], Verifier>();

/**
 * One-shot form of {@link createVerifier}. The verifier (and its KeyObjects) is cached per
 * `publicKeys` array, so pass the same array each time.
 *
 * @example
 * const result = await verifyToken(payload.att, { publicKeys, expectedChallenge, spend });
 * if (result.outcome === 'valid') signals.attestation = 'valid';
 */
export function verifyToken(
  token: Uint8Array | string,
  options: VerifyOptions & { publicKeys: readonly VerificationKey[] },
): Promise<RedemptionResult> {
  let verifier = verifierCache.get(options.publicKeys);
  if (!verifier) {
    verifier = createVerifier({ publicKeys: options.publicKeys });
    verifierCache.set(options.publicKeys, verifier);
  }
  return verifier.verify(token, options);
}
