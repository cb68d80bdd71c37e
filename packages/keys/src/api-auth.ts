import { API_SCOPES, parseRestrictedKey, parseSecretKey, type ApiScope } from '@tagward/protocol';
import { keyRejection, type LookupKey } from './key-record.js';
import type { LookupRestrictedKey } from './restricted-key.js';
import { secretKeyMatchesHash } from './secret-key.js';

/** Who is calling, once a bearer key checked out. */
export interface ApiPrincipal {
  kind: 'secret' | 'restricted';
  kid: string;
  siteId: string;
  /** A secret key keeps every power: all scopes. */
  scopes: readonly ApiScope[];
}

export type ApiAuthFailure = { ok: false; code: 'unauthorized' | 'key_expired'; message: string };
export type ApiAuthResult = { ok: true; principal: ApiPrincipal } | ApiAuthFailure;

export interface ApiAuthDeps {
  lookupKey: LookupKey;
  /** Without it, restricted keys are refused like any unknown token. */
  lookupRestrictedKey?: LookupRestrictedKey;
  now: () => number;
}

const BEARER = /^Bearer +(\S+) *$/i;

function fail(code: ApiAuthFailure['code'], message: string): ApiAuthFailure {
  return { ok: false, code, message };
}

/**
 * Authenticates `Authorization: Bearer sk_…` or `Bearer rk_…`: the key id finds the record, then
 * sha256(key) is compared with the stored hash in constant time. Revoked keys are `unauthorized`;
 * keys past their end (a rotation's grace, or a restricted key's chosen expiry) `key_expired`.
 * Scopes are the caller's to check: this only says who is calling.
 *
 * @example
 * const auth = await authenticateApiKey(req.headers.authorization, { lookupKey, lookupRestrictedKey, now: Date.now });
 * if (!auth.ok) return res.status(401).json({ error: { code: auth.code, message: auth.message } });
 * if (!auth.principal.scopes.includes('stats:read')) return res.status(403)…
 */
export async function authenticateApiKey(authorization: string | undefined, deps: ApiAuthDeps): Promise<ApiAuthResult> {
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (!token) return fail('unauthorized', 'Send a key as "Authorization: Bearer sk_…" or "Bearer rk_…".');
  const secret = parseSecretKey(token);
  if (secret) {
    const record = await deps.lookupKey(secret.kid);
    if (!record || !secretKeyMatchesHash(token, record.secretHash)) return fail('unauthorized', 'Unknown secret key.');
    const rejection = keyRejection(record, deps.now());
    if (rejection === 'revoked') return fail('unauthorized', 'This secret key was revoked.');
    if (rejection === 'expired') return fail('key_expired', 'This secret key was rotated and its grace period is over.');
    return { ok: true, principal: { kind: 'secret', kid: record.kid, siteId: record.siteId, scopes: API_SCOPES } };
  }
  const restricted = parseRestrictedKey(token);
  if (restricted && deps.lookupRestrictedKey) {
    const record = await deps.lookupRestrictedKey(restricted.kid);
    if (!record || !secretKeyMatchesHash(token, record.secretHash)) return fail('unauthorized', 'Unknown restricted key.');
    const rejection = keyRejection(record, deps.now());
    if (rejection === 'revoked') return fail('unauthorized', 'This restricted key was revoked.');
    if (rejection === 'expired') return fail('key_expired', 'This restricted key has expired.');
    return { ok: true, principal: { kind: 'restricted', kid: record.kid, siteId: record.siteId, scopes: [...record.scopes] } };
  }
  return fail('unauthorized', 'The bearer token is not a Tagward key.');
}
