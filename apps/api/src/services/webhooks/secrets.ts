import { randomBytes } from 'node:crypto';
import { openSigningKey, sealSigningKey } from '@tagward/keys';

/**
 * Webhook signing secrets: `whsec_` + 32 random bytes. They must be readable to sign, so they are
 * sealed under the master key (AES-256-GCM, bound to the endpoint id), never stored in the clear.
 */
const PREFIX = 'whsec_';

export function generateWebhookSecret(): string {
  return `${PREFIX}${randomBytes(32).toString('base64url')}`;
}

const aad = (endpointId: string) => `whsec:${endpointId}`;

export function sealWebhookSecret(secret: string, endpointId: string, masterKey: Uint8Array): string {
  return sealSigningKey(Buffer.from(secret.slice(PREFIX.length), 'base64url'), { kid: aad(endpointId), masterKey });
}

export function openWebhookSecret(sealed: string, endpointId: string, masterKey: Uint8Array): string {
  return `${PREFIX}${openSigningKey(sealed, { kid: aad(endpointId), masterKey }).toString('base64url')}`;
}
