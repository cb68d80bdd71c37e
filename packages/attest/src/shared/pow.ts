/**
 * Proof-of-work format shared by the attester (server) and the solver (browser).
 *
 * Challenge (issued and HMAC-signed by the server, so verification needs no state):
 *   v1.<nonce>.<expiresAt unix s>.<bits>.<k>.<maxTokens>.<mac>      nonce, mac: base64url
 * Solution: k strictly increasing uint32 counters c such that
 *   SHA-256(challenge || 0x00 || SHA-256(issuance request body) || uint32be(c))
 * starts with at least `bits` zero bits. Asking for k partial solutions instead of one k times
 * harder keeps the expected work (k * 2^bits hashes) but cuts the spread of solve times by
 * sqrt(k): a single hashcash puzzle has a standard deviation as large as its mean.
 * Hashing the request body binds the work to one batch of blinded messages, so a solved
 * challenge cannot be replayed for fresh tokens (replaying the same batch returns the same
 * signatures, whose tokens are already spent or spendable once).
 */
import { fromBase64Url, toBase64Url, u32 } from './bytes.js';

export const POW_HEADER = 'tagward-pow';
export const POW_VERSION = 'v1';

export interface PowParams {
  /** Leading zero bits each partial solution needs. */
  bits: number;
  /** Number of partial solutions. */
  k: number;
  /** Most tokens one solved challenge may buy. */
  maxTokens: number;
  /** Unix seconds after which the challenge is refused. */
  expiresAt: number;
}

export interface ParsedPowChallenge extends PowParams {
  /** The signed part: everything before the last dot. */
  signed: string;
  mac: Uint8Array;
}

export function formatPowChallenge(
  nonce: Uint8Array,
  params: PowParams,
  mac: (signed: string) => Uint8Array,
): string {
  const signed = [
    POW_VERSION,
    toBase64Url(nonce),
    params.expiresAt,
    params.bits,
    params.k,
    params.maxTokens,
  ].join('.');
  return `${signed}.${toBase64Url(mac(signed))}`;
}

const INT = /^(0|[1-9]\d{0,9})$/;

/** Parses without checking the MAC; null when malformed. */
export function parsePowChallenge(challenge: string): ParsedPowChallenge | null {
  if (challenge.length > 256) return null;
  const parts = challenge.split('.');
  if (parts.length !== 7 || parts[0] !== POW_VERSION) return null;
  const [, nonce, expiresAt, bits, k, maxTokens, mac] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (![expiresAt, bits, k, maxTokens].every((part) => INT.test(part))) return null;
  try {
    if (fromBase64Url(nonce).length < 16) return null;
    const parsed: ParsedPowChallenge = {
      signed: parts.slice(0, 6).join('.'),
      mac: fromBase64Url(mac),
      expiresAt: Number(expiresAt),
      bits: Number(bits),
      k: Number(k),
      maxTokens: Number(maxTokens),
    };
    if (parsed.bits > 32 || parsed.k < 1 || parsed.k > 64) return null;
    return parsed;
  } catch {
    return null;
  }
}

export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** The bytes hashed for one attempt, minus the trailing counter. */
export function powPrefix(challenge: string, bodyDigest: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(challenge);
  const out = new Uint8Array(text.length + 1 + bodyDigest.length + 4);
  out.set(text, 0);
  out.set(bodyDigest, text.length + 1);
  return out;
}

/** Writes the counter into the last four bytes of a prefix buffer (reused across attempts). */
export function setCounter(input: Uint8Array, counter: number): void {
  input.set(u32(counter), input.length - 4);
}

export function encodePowSolution(counters: readonly number[]): string {
  const bytes = new Uint8Array(counters.length * 4);
  counters.forEach((c, i) => bytes.set(u32(c), i * 4));
  return toBase64Url(bytes);
}

export function decodePowSolution(solution: string): number[] | null {
  try {
    const bytes = fromBase64Url(solution);
    if (bytes.length === 0 || bytes.length % 4 !== 0 || bytes.length > 64 * 4) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const counters: number[] = [];
    for (let i = 0; i < bytes.length; i += 4) counters.push(view.getUint32(i));
    return counters;
  } catch {
    return null;
  }
}

/** `tagward-pow: <challenge>;<solution>` */
export function formatPowHeader(challenge: string, counters: readonly number[]): string {
  return `${challenge};${encodePowSolution(counters)}`;
}

export function parsePowHeader(header: string): { challenge: string; counters: number[] } | null {
  const at = header.lastIndexOf(';');
  if (at < 0) return null;
  const counters = decodePowSolution(header.slice(at + 1).trim());
  return counters ? { challenge: header.slice(0, at).trim(), counters } : null;
}
