// How the verifier looks keys up: cached per TTL (unknown kids too), forgotten on demand, and a
// failing or confused lookup never turned into a token status.
import { describe, expect, test } from 'vitest';
import { createMemoryNonceSpender, createTokenVerifier } from '../src/index.js';
import { NOW, mint, recordFor } from './fixtures.js';
import {
  context,
  key,
  makeVerifier,
  masterKey,
  otherSiteKey,
  records,
  unknownKey,
} from './verifier-fixtures.js';

describe('the page-token verifier: key lookups', () => {
  test('a key is looked up once per cache TTL, and concurrent misses share one lookup', async () => {
    let clock = 0;
    const { verifier, lookups } = makeVerifier({ cacheClock: () => clock, keyCacheTtlMs: 5000 });
    await Promise.all([1, 2, 3].map(() => verifier.verify(mint(key), context)));
    expect(lookups()).toBe(1);
    clock = 4999;
    await verifier.verify(mint(key), context);
    expect(lookups()).toBe(1);
    clock = 5001;
    await verifier.verify(mint(key), context);
    expect(lookups()).toBe(2);
  });

  test('unknown kids are cached too, so random kids cannot turn every beacon into a lookup', async () => {
    const clock = 0;
    const { verifier, lookups } = makeVerifier({ cacheClock: () => clock });
    for (let i = 0; i < 5; i++)
      expect((await verifier.verify(mint(unknownKey), context)).status).toBe('unknown_key');
    expect(lookups()).toBe(1);
  });

  test('a revocation takes effect once the cached entry is older than the cache TTL', async () => {
    let clock = 0;
    const mutable = new Map(records);
    const verifier = createTokenVerifier({
      masterKey,
      lookupKey: async (kid) => mutable.get(kid),
      spendNonce: createMemoryNonceSpender({ now: () => NOW }),
      keyCacheTtlMs: 5000,
      cacheClock: () => clock,
    });
    expect((await verifier.verify(mint(key), context)).status).toBe('valid');
    mutable.set(key.kid, recordFor(key, { revokedAt: new Date(NOW) }));
    clock = 4000;
    expect((await verifier.verify(mint(key), context)).status).toBe('valid');
    clock = 5001;
    expect((await verifier.verify(mint(key), context)).status).toBe('revoked_key');
  });

  test('forget drops a cached key at once', async () => {
    const mutable = new Map(records);
    const verifier = createTokenVerifier({
      masterKey,
      lookupKey: async (kid) => mutable.get(kid),
      spendNonce: createMemoryNonceSpender({ now: () => NOW }),
      cacheClock: () => 0,
    });
    expect((await verifier.verify(mint(key), context)).status).toBe('valid');
    mutable.set(key.kid, recordFor(key, { revokedAt: new Date(NOW) }));
    verifier.forget(key.kid);
    expect((await verifier.verify(mint(key), context)).status).toBe('revoked_key');
  });

  test('a lookup failure (database down) propagates instead of becoming a token status', async () => {
    const verifier = createTokenVerifier({
      masterKey,
      lookupKey: async () => {
        throw new Error('connection refused');
      },
      spendNonce: createMemoryNonceSpender(),
    });
    await expect(verifier.verify(mint(key), context)).rejects.toThrow('connection refused');
  });

  test('a record returned under another kid is treated as unknown', async () => {
    const verifier = createTokenVerifier({
      masterKey,
      lookupKey: async () => recordFor(otherSiteKey),
      spendNonce: createMemoryNonceSpender(),
    });
    expect((await verifier.verify(mint(key), context)).status).toBe('unknown_key');
  });
});
