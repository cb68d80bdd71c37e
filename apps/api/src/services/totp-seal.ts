import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * TOTP keys are stored sealed (AES-256-GCM) under a key derived from the master key, bound to
 * their user: a copy of the database alone cannot produce anyone's second-factor codes, and a
 * sealed key copied onto another user does not open.
 */
const INFO = 'tagward/seal/totp-key/v1';

function sealKey(masterKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), INFO, 32));
}

export function sealTotpKey(key: Uint8Array, userId: string, masterKey: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(masterKey), iv);
  cipher.setAAD(Buffer.from(`${INFO}:${userId}`));
  const sealed = Buffer.concat([cipher.update(key), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

export function openTotpKey(sealedText: string, userId: string, masterKey: Uint8Array): Uint8Array {
  const [version, ivText = '', bodyText = ''] = sealedText.split('.');
  if (version !== 'v1') throw new Error('unknown sealed TOTP key version');
  const body = Buffer.from(bodyText, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', sealKey(masterKey), Buffer.from(ivText, 'base64url'));
  decipher.setAAD(Buffer.from(`${INFO}:${userId}`));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]));
}
