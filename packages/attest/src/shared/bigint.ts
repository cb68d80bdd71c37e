/**
 * Big-integer helpers for the client side of blind RSA. Only public-key operations run on
 * BigInt (e = 65537 is 17 squarings), so their speed is fine without native code; the private
 * operation never runs in JavaScript (the issuer uses OpenSSL through node:crypto).
 */
import { randomBytes } from './bytes.js';

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let out = 0n;
  for (const byte of bytes) out = (out << 8n) | BigInt(byte);
  return out;
}

/** I2OSP: big-endian, left-padded to `length` bytes; throws if the value does not fit. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new RangeError('negative integer');
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  if (rest !== 0n) throw new RangeError('integer too large');
  return out;
}

export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Inverse of `a` modulo `m` by the extended Euclidean algorithm; null when gcd(a, m) != 1. */
export function modInverse(a: bigint, m: bigint): bigint | null {
  let [oldR, r] = [((a % m) + m) % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return null;
  return ((oldS % m) + m) % m;
}

export function bitLength(value: bigint): number {
  return value === 0n ? 0 : value.toString(2).length;
}

/** Uniform integer in [1, n) by rejection sampling (RFC 9474 §4.1 requires a uniform blind). */
export function randomBelow(n: bigint): bigint {
  const bits = bitLength(n);
  const byteLength = Math.ceil(bits / 8);
  const excess = byteLength * 8 - bits;
  for (;;) {
    const bytes = randomBytes(byteLength);
    bytes[0] = (bytes[0] as number) & (0xff >> excess);
    const candidate = bytesToBigInt(bytes);
    if (candidate >= 1n && candidate < n) return candidate;
  }
}
