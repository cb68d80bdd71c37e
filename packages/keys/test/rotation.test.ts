import { describe, expect, test } from 'vitest';
import {
  DEFAULT_ROTATION_GRACE_MS,
  createMemoryNonceSpender,
  createTokenVerifier,
  keyState,
  planRevocation,
  planRotation,
  rotateSecretKey,
  type KeyLifecycle,
  type KeyRecord,
} from '../src/index.js';
import {
  NOW,
  ORIGIN,
  PAGE_URL,
  SITE_ID,
  mint,
  newKey,
  newMasterKey,
  recordFor,
} from './fixtures.js';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms);
const k = (
  kid: string,
  expiresAt: Date | null = null,
  revokedAt: Date | null = null,
): KeyLifecycle => ({
  kid,
  expiresAt,
  revokedAt,
});

describe('key states', () => {
  test.each([
    ['no end', k('a'), 'active'],
    ['an end in the future', k('a', at(NOW + 1)), 'expiring'],
    ['an end exactly now', k('a', at(NOW)), 'expired'],
    ['an end in the past', k('a', at(NOW - 1)), 'expired'],
    ['a revocation in the past', k('a', null, at(NOW - 1)), 'revoked'],
    ['a revocation and an end', k('a', at(NOW + HOUR), at(NOW)), 'revoked'],
    ['a revocation scheduled later', k('a', null, at(NOW + HOUR)), 'active'],
  ])('a key with %s is %s', (_name, key, state) => {
    expect(keyState(key, NOW)).toBe(state);
  });
});

describe('rotation decisions', () => {
  test.each([
    [
      'the default grace gives the current key 24 hours',
      [k('old')],
      { kind: 'grace' } as const,
      [{ kid: 'old', expiresAt: at(NOW + DEFAULT_ROTATION_GRACE_MS) }],
    ],
    [
      'a chosen grace is used',
      [k('old')],
      { kind: 'grace', graceMs: HOUR } as const,
      [{ kid: 'old', expiresAt: at(NOW + HOUR) }],
    ],
    [
      'revoke stops the current key now',
      [k('old')],
      { kind: 'revoke' } as const,
      [{ kid: 'old', revokedAt: at(NOW) }],
    ],
    [
      'an earlier grace end is never extended',
      [k('older', at(NOW + HOUR)), k('old')],
      { kind: 'grace' } as const,
      [{ kid: 'old', expiresAt: at(NOW + DEFAULT_ROTATION_GRACE_MS) }],
    ],
    [
      'a later grace end is shortened',
      [k('older', at(NOW + 48 * HOUR))],
      { kind: 'grace', graceMs: HOUR } as const,
      [{ kid: 'older', expiresAt: at(NOW + HOUR) }],
    ],
    [
      'revoke also stops keys still in a grace window',
      [k('older', at(NOW + HOUR)), k('old')],
      { kind: 'revoke' } as const,
      [
        { kid: 'older', revokedAt: at(NOW) },
        { kid: 'old', revokedAt: at(NOW) },
      ],
    ],
    [
      'expired and revoked keys are left alone',
      [k('gone', at(NOW - 1)), k('dead', null, at(NOW - 1))],
      { kind: 'grace' } as const,
      [],
    ],
    [
      'a zero grace expires the key now',
      [k('old')],
      { kind: 'grace', graceMs: 0 } as const,
      [{ kid: 'old', expiresAt: at(NOW) }],
    ],
  ])('%s', (_name, keys, strategy, expected) => {
    expect(planRotation(keys, NOW, strategy)).toEqual(expected);
  });

  test.each([-1, 8 * 24 * HOUR, 1.5])('a grace of %s ms is refused', (graceMs) => {
    expect(() => planRotation([k('old')], NOW, { kind: 'grace', graceMs })).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    );
  });

  test('revoking a key revokes it now, once', () => {
    expect(planRevocation(k('a', at(NOW + HOUR)), NOW)).toEqual({ kid: 'a', revokedAt: at(NOW) });
    expect(planRevocation(k('a', null, at(NOW - 1)), NOW)).toBeUndefined();
  });

  test('the old key works inside the grace window and fails after it; the new key works throughout', async () => {
    const masterKey = newMasterKey();
    const oldKey = newKey(masterKey);
    const store = new Map<string, KeyRecord>([[oldKey.kid, recordFor(oldKey)]]);
    const { created, updates } = rotateSecretKey({
      mode: 'live',
      masterKey,
      keys: [...store.values()],
      now: NOW,
      strategy: { kind: 'grace', graceMs: HOUR },
    });
    // What the API service does with the plan:
    store.set(created.kid, recordFor(created));
    for (const update of updates) {
      const current = store.get(update.kid);
      if (current) store.set(update.kid, { ...current, ...update });
    }
    const verifier = createTokenVerifier({
      masterKey,
      lookupKey: async (kid) => store.get(kid),
      spendNonce: createMemoryNonceSpender({ now: () => NOW }),
      cacheClock: () => 0,
    });
    const verifyAt = async (key: typeof oldKey, t: number) =>
      (
        await verifier.verify(mint(key, { now: t - 1000 }), {
          siteId: SITE_ID,
          origin: ORIGIN,
          url: PAGE_URL,
          now: t,
        })
      ).status;

    expect(await verifyAt(oldKey, NOW + HOUR - 1)).toBe('valid');
    expect(await verifyAt(created, NOW + HOUR - 1)).toBe('valid');
    expect(await verifyAt(oldKey, NOW + HOUR)).toBe('expired_key');
    expect(await verifyAt(created, NOW + HOUR)).toBe('valid');
  });

  test('an immediate rotation stops the old key at once', async () => {
    const masterKey = newMasterKey();
    const oldKey = newKey(masterKey);
    const { created, updates } = rotateSecretKey({
      mode: 'test',
      masterKey,
      keys: [recordFor(oldKey)],
      now: NOW,
      strategy: { kind: 'revoke' },
    });
    expect(created.secretKey.startsWith('sk_test_')).toBe(true);
    const store = new Map<string, KeyRecord>([
      [oldKey.kid, { ...recordFor(oldKey), ...updates[0] }],
      [created.kid, recordFor(created)],
    ]);
    const verifier = createTokenVerifier({
      masterKey,
      lookupKey: async (kid) => store.get(kid),
      spendNonce: createMemoryNonceSpender({ now: () => NOW }),
    });
    const ctx = { siteId: SITE_ID, origin: ORIGIN, url: PAGE_URL, now: NOW + 1 };
    expect((await verifier.verify(mint(oldKey), ctx)).status).toBe('revoked_key');
    expect((await verifier.verify(mint(created), ctx)).status).toBe('valid');
  });
});
