import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { generateSecureRandomString } from './session.js';

/** SHA-256, hex: how mailed tokens, recovery codes and throttle keys are stored. */
export function sha256Hex(value: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(value)));
}

/**
 * A token for a mailed link or a login step: 48 characters from a CSPRNG (240 bits), returned with
 * the hash to store. Only the hash is stored, so a copy of the database opens no link.
 */
export function generateToken(): { token: string; hash: string } {
  const token = generateSecureRandomString() + generateSecureRandomString();
  return { token, hash: sha256Hex(token) };
}
