/**
 * SubjectPublicKeyInfo with the RSASSA-PSS OID (RFC 4055), the `token-key` encoding of token
 * type 0x0002 (RFC 9578 §6.5). The algorithm identifier pins SHA-384, MGF1-SHA-384 and a 48-byte
 * salt, so a verifier that imports the key cannot be talked into other parameters. The bytes
 * below are exactly what OpenSSL emits for such a key (hash identifiers with NULL parameters);
 * a test checks that against node:crypto.
 */
import { bigIntToBytes, bytesToBigInt } from './bigint.js';
import { concatBytes } from './bytes.js';

const RSASSA_PSS_ALGORITHM = new Uint8Array([
  0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a, 0x30, 0x34, 0xa0,
  0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00,
  0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30,
  0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0xa2, 0x03,
  0x02, 0x01, 0x30,
]);
/** DER body of OID 1.2.840.113549.1.1.10 (id-RSASSA-PSS). */
const OID_RSASSA_PSS = new Uint8Array([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]);

function derLength(length: number): Uint8Array {
  if (length < 0x80) return new Uint8Array([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest >>= 8) bytes.unshift(rest & 0xff);
  return new Uint8Array([0x80 | bytes.length, ...bytes]);
}

function der(tag: number, body: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([tag]), derLength(body.length), body);
}

function derUnsignedInteger(value: bigint): Uint8Array {
  const length = Math.max(1, Math.ceil(value.toString(16).length / 2));
  let bytes = bigIntToBytes(value, length);
  // DER INTEGERs are signed: a leading 1 bit needs a zero byte in front.
  if ((bytes[0] as number) & 0x80) bytes = concatBytes(new Uint8Array([0]), bytes);
  return der(0x02, bytes);
}

export function encodeRsaPssSpki(n: bigint, e: bigint): Uint8Array {
  const rsaPublicKey = der(0x30, concatBytes(derUnsignedInteger(n), derUnsignedInteger(e)));
  const bitString = der(0x03, concatBytes(new Uint8Array([0]), rsaPublicKey));
  return der(0x30, concatBytes(RSASSA_PSS_ALGORITHM, bitString));
}

class DerReader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  read(expectedTag: number): Uint8Array {
    const tag = this.bytes[this.offset];
    if (tag !== expectedTag)
      throw new TypeError(`DER: expected tag ${expectedTag}, got ${String(tag)}`);
    let length = this.bytes[this.offset + 1];
    let cursor = this.offset + 2;
    if (length === undefined) throw new TypeError('DER: truncated');
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 3) throw new TypeError('DER: unsupported length');
      length = 0;
      for (let i = 0; i < count; i++) length = (length << 8) | (this.bytes[cursor + i] ?? 0);
      cursor += count;
    }
    if (cursor + length > this.bytes.length) throw new TypeError('DER: truncated');
    this.offset = cursor + length;
    return this.bytes.subarray(cursor, cursor + length);
  }

  get done(): boolean {
    return this.offset === this.bytes.length;
  }
}

/**
 * Extracts (n, e) from an RSASSA-PSS SPKI. Throws for any other algorithm: a token key that is
 * not pinned to PSS is not a valid type 0x0002 key.
 */
export function parseRsaPssSpki(spki: Uint8Array): { n: bigint; e: bigint } {
  const outer = new DerReader(spki);
  const body = new DerReader(outer.read(0x30));
  if (!outer.done) throw new TypeError('DER: trailing bytes');
  const algorithm = new DerReader(body.read(0x30));
  const oid = algorithm.read(0x06);
  if (oid.length !== OID_RSASSA_PSS.length || !oid.every((byte, i) => byte === OID_RSASSA_PSS[i])) {
    throw new TypeError('token key is not an RSASSA-PSS key');
  }
  const bitString = body.read(0x03);
  if (bitString[0] !== 0) throw new TypeError('DER: unexpected unused bits');
  const key = new DerReader(new DerReader(bitString.subarray(1)).read(0x30));
  const n = bytesToBigInt(key.read(0x02));
  const e = bytesToBigInt(key.read(0x02));
  return { n, e };
}
