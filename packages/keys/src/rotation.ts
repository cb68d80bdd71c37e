import { KeysError } from './errors.js';
import type { KeyRecord } from './key-record.js';
import { generateSecretKey, type GeneratedSecretKey, type KeyMode } from './secret-key.js';

/** Default overlap during which the old key keeps working after a rotation. */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 3_600_000;
/** Longest overlap allowed: a leaked old key should not live on for weeks. */
export const MAX_ROTATION_GRACE_MS = 7 * 24 * 3_600_000;

/** Where a key is in its life at a given time. */
export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked';

export type KeyLifecycle = Pick<KeyRecord, 'kid' | 'expiresAt' | 'revokedAt'>;

/** A change to persist on an existing key (only the fields present change). */
export interface KeyUpdate {
  kid: string;
  expiresAt?: Date;
  revokedAt?: Date;
}

/** `grace`: old keys keep working for `graceMs` (default 24 h). `revoke`: they stop now. */
export type RotationStrategy = { kind: 'grace'; graceMs?: number } | { kind: 'revoke' };

/**
 * A key's state at `now`: `active` (no end set), `expiring` (inside a rotation grace window),
 * `expired` (grace over) or `revoked`.
 *
 * @example
 * keyState({ kid, expiresAt: null, revokedAt: null }, Date.now()); // 'active'
 */
export function keyState(key: KeyLifecycle, now: number): KeyState {
  if (key.revokedAt && key.revokedAt.getTime() <= now) return 'revoked';
  if (key.expiresAt) return key.expiresAt.getTime() <= now ? 'expired' : 'expiring';
  return 'active';
}

/**
 * The updates a rotation makes to a site's existing keys. Keys still working (active or
 * expiring) get `expiresAt = now + grace` (never later than an end they already have) or
 * `revokedAt = now`; keys already dead are left alone. Pure: the caller persists the result.
 *
 * @example
 * planRotation(siteKeys, Date.now(), { kind: 'grace' });
 * // [{ kid: 'old…', expiresAt: <now + 24 h> }]
 */
export function planRotation(
  keys: readonly KeyLifecycle[],
  now: number,
  strategy: RotationStrategy,
): KeyUpdate[] {
  const graceMs = strategy.kind === 'grace' ? (strategy.graceMs ?? DEFAULT_ROTATION_GRACE_MS) : 0;
  if (!Number.isSafeInteger(graceMs) || graceMs < 0 || graceMs > MAX_ROTATION_GRACE_MS) {
    throw new KeysError(
      'invalid_argument',
      `graceMs must be between 0 and ${MAX_ROTATION_GRACE_MS}`,
    );
  }
  const updates: KeyUpdate[] = [];
  for (const key of keys) {
    const state = keyState(key, now);
    if (state === 'expired' || state === 'revoked') continue;
    if (strategy.kind === 'revoke') {
      updates.push({ kid: key.kid, revokedAt: new Date(now) });
      continue;
    }
    const end = now + graceMs;
    if (state === 'expiring' && key.expiresAt && key.expiresAt.getTime() <= end) continue;
    updates.push({ kid: key.kid, expiresAt: new Date(end) });
  }
  return updates;
}

/**
 * The update that revokes one key now, or undefined if it is already revoked.
 *
 * @example
 * const update = planRevocation(key, Date.now());
 * if (update) await SecretKey.updateOne({ kid: update.kid }, { revokedAt: update.revokedAt });
 */
export function planRevocation(key: KeyLifecycle, now: number): KeyUpdate | undefined {
  return keyState(key, now) === 'revoked' ? undefined : { kid: key.kid, revokedAt: new Date(now) };
}

/**
 * A whole rotation: a new key for the site plus the updates to its existing keys. No I/O; the
 * API service stores `created` (all but `secretKey`) and applies `updates`, then shows
 * `created.secretKey` once.
 *
 * @example
 * const { created, updates } = rotateSecretKey({
 *   mode: site.mode, masterKey, keys: siteKeys, now: Date.now(), strategy: { kind: 'grace' },
 * });
 */
export function rotateSecretKey(options: {
  mode: KeyMode;
  masterKey: Uint8Array;
  keys: readonly KeyLifecycle[];
  now: number;
  strategy: RotationStrategy;
}): { created: GeneratedSecretKey; updates: KeyUpdate[] } {
  const updates = planRotation(options.keys, options.now, options.strategy);
  return {
    created: generateSecretKey({ mode: options.mode, masterKey: options.masterKey }),
    updates,
  };
}
