/**
 * BlindSign (RFC 9474 §4.2) on OpenSSL's native RSA: the one operation that needs the private
 * key. Kept apart from the issuer so the RFC 9474 test vectors (4096-bit) exercise this exact
 * code, not a copy of it.
 */
import { constants, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';
import { bytesEqual } from '../shared/bytes.js';
import { AttestError } from './errors.js';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Big-endian modulus, kLen bytes. */
  modulus: Uint8Array;
}

export function blindSign(key: SigningKey, blindedMsg: Uint8Array): Uint8Array {
  const kLen = key.modulus.length;
  if (blindedMsg.length !== kLen)
    throw new AttestError('malformed_request', 'unexpected input size');
  const input = Buffer.from(blindedMsg.buffer, blindedMsg.byteOffset, kLen);
  // "invalid message": the representative must be below n. For equal-length big-endian strings
  // byte-wise comparison is numeric comparison.
  if (Buffer.compare(input, key.modulus) >= 0)
    throw new AttestError('malformed_request', 'invalid message');
  // privateDecrypt with RSA_NO_PADDING is RSASP1, s = m^d mod n, computed by OpenSSL with CRT
  // and its own base blinding against timing attacks.
  const s = privateDecrypt({ key: key.privateKey, padding: constants.RSA_NO_PADDING }, input);
  // RFC 9474 §4.2 asks to check s^e = m before answering: a fault in the CRT computation would
  // otherwise hand out a value that reveals a factor of n. e = 65537 makes this check cheap.
  const check = publicEncrypt({ key: key.publicKey, padding: constants.RSA_NO_PADDING }, s);
  if (!bytesEqual(check, input)) throw new AttestError('issuer_failure', 'signing failure');
  return new Uint8Array(s.buffer, s.byteOffset, s.length);
}
