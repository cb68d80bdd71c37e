/**
 * RSABSSA-SHA384-PSS-Deterministic (RFC 9474), client half: EMSA-PSS encoding, Blind and
 * Finalize, plus RSASSA-PSS verification, in WebCrypto digests + BigInt so it runs in browsers.
 * "Deterministic" means no message randomization (RFC 9474 §5): Privacy Pass token inputs
 * already carry a 32-byte random nonce (RFC 9578 §6.1). The PSS salt is still 48 random bytes.
 */
import {
  bigIntToBytes,
  bitLength,
  bytesToBigInt,
  modInverse,
  modPow,
  randomBelow,
} from './bigint.js';
import { bytesEqual, concatBytes, randomBytes, sha384 } from './bytes.js';

/** SHA-384 output length and the PSS salt length of the variant (RFC 9474 §5). */
export const HASH_LENGTH = 48;
export const SALT_LENGTH = 48;

export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  /** Modulus length in bytes (kLen in RFC 9474). */
  kLen: number;
}

export function rsaPublicKey(n: bigint, e: bigint): RsaPublicKey {
  return { n, e, kLen: Math.ceil(bitLength(n) / 8) };
}

async function mgf1(seed: Uint8Array, length: number): Promise<Uint8Array> {
  const blocks: Uint8Array[] = [];
  for (let counter = 0; blocks.length * HASH_LENGTH < length; counter++) {
    const c = new Uint8Array([
      counter >>> 24,
      (counter >>> 16) & 0xff,
      (counter >>> 8) & 0xff,
      counter & 0xff,
    ]);
    blocks.push(await sha384(concatBytes(seed, c)));
  }
  return concatBytes(...blocks).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with SHA-384 and MGF1-SHA-384. `salt` is fixed in tests. */
export async function emsaPssEncode(
  message: Uint8Array,
  emBits: number,
  salt: Uint8Array,
): Promise<Uint8Array> {
  const emLen = Math.ceil(emBits / 8);
  if (emLen < HASH_LENGTH + salt.length + 2) throw new Error('encoding error');
  const mHash = await sha384(message);
  const h = await sha384(concatBytes(new Uint8Array(8), mHash, salt));
  const db = new Uint8Array(emLen - HASH_LENGTH - 1);
  db[db.length - salt.length - 1] = 0x01;
  db.set(salt, db.length - salt.length);
  const mask = await mgf1(h, db.length);
  for (let i = 0; i < db.length; i++) db[i] = (db[i] as number) ^ (mask[i] as number);
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  return concatBytes(db, h, new Uint8Array([0xbc]));
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with an exact salt length, as RFC 9578 requires sLen = 48. */
export async function emsaPssVerify(
  message: Uint8Array,
  encoded: Uint8Array,
  emBits: number,
  saltLength: number,
): Promise<boolean> {
  const emLen = Math.ceil(emBits / 8);
  if (encoded.length !== emLen || emLen < HASH_LENGTH + saltLength + 2) return false;
  if (encoded[emLen - 1] !== 0xbc) return false;
  const maskedDb = encoded.subarray(0, emLen - HASH_LENGTH - 1);
  const h = encoded.subarray(emLen - HASH_LENGTH - 1, emLen - 1);
  const topBits = 8 * emLen - emBits;
  if (((maskedDb[0] as number) & ~(0xff >> topBits) & 0xff) !== 0) return false;
  const mask = await mgf1(h, maskedDb.length);
  const db = maskedDb.map((byte, i) => byte ^ (mask[i] as number));
  db[0] = (db[0] as number) & (0xff >> topBits);
  const psLength = emLen - HASH_LENGTH - saltLength - 2;
  for (let i = 0; i < psLength; i++) if (db[i] !== 0) return false;
  if (db[psLength] !== 0x01) return false;
  const salt = db.subarray(db.length - saltLength);
  const mHash = await sha384(message);
  const hPrime = await sha384(concatBytes(new Uint8Array(8), mHash, salt));
  return bytesEqual(h, hPrime);
}

/** RSASSA-PSS-VERIFY (RFC 8017 §8.1.2): s^e mod n, then EMSA-PSS-VERIFY. */
export async function rsaPssVerify(
  pk: RsaPublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  saltLength: number = SALT_LENGTH,
): Promise<boolean> {
  if (signature.length !== pk.kLen) return false;
  const s = bytesToBigInt(signature);
  if (s >= pk.n) return false;
  const emBits = bitLength(pk.n) - 1;
  const m = modPow(s, pk.e, pk.n);
  const emLen = Math.ceil(emBits / 8);
  let encoded: Uint8Array;
  try {
    encoded = bigIntToBytes(m, emLen);
  } catch {
    return false;
  }
  return emsaPssVerify(message, encoded, emBits, saltLength);
}

export interface BlindResult {
  blindedMsg: Uint8Array;
  inv: bigint;
}

/**
 * Blind (RFC 9474 §4.1). `fixed` lets the test-vector check supply salt and inverse; production
 * callers leave it out and get a fresh random salt and a uniform blind r in [1, n).
 */
export async function blind(
  pk: RsaPublicKey,
  message: Uint8Array,
  fixed?: { salt: Uint8Array; inv: bigint },
): Promise<BlindResult> {
  const encoded = await emsaPssEncode(
    message,
    bitLength(pk.n) - 1,
    fixed?.salt ?? randomBytes(SALT_LENGTH),
  );
  const m = bytesToBigInt(encoded);
  for (;;) {
    let r: bigint | null;
    let inv: bigint | null;
    if (fixed) {
      inv = fixed.inv;
      r = modInverse(inv, pk.n);
    } else {
      r = randomBelow(pk.n);
      inv = modInverse(r, pk.n);
    }
    if (r === null || inv === null) {
      // "invalid blind": r shares a factor with n. Negligible for a real key; retry as §4.1 says.
      if (fixed) throw new Error('invalid blind');
      continue;
    }
    const z = (m * modPow(r, pk.e, pk.n)) % pk.n;
    return { blindedMsg: bigIntToBytes(z, pk.kLen), inv };
  }
}

/** Finalize (RFC 9474 §4.3): unblind and check the result is a valid PSS signature. */
export async function finalize(
  pk: RsaPublicKey,
  message: Uint8Array,
  blindSig: Uint8Array,
  inv: bigint,
  saltLength: number = SALT_LENGTH,
): Promise<Uint8Array> {
  if (blindSig.length !== pk.kLen) throw new Error('unexpected input size');
  const z = bytesToBigInt(blindSig);
  const sig = bigIntToBytes((z * inv) % pk.n, pk.kLen);
  // Checking here catches a wrong key or a cheating issuer before the token is stored and
  // later rejected at redemption, where the failure would be silent for the visitor.
  if (!(await rsaPssVerify(pk, message, sig, saltLength))) throw new Error('invalid signature');
  return sig;
}
