import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { buildPageTokenClaims, encodePageToken, signPageToken } from '@tagward/protocol';
import {
  createMemoryNonceSpender,
  createTokenVerifier,
  deriveSigningKey,
  type KeyRecord,
  type TokenVerifyContext,
} from '../src/index.js';
import {
  NOW,
  ORIGIN,
  OTHER_SITE_ID,
  PAGE_URL,
  SITE_ID,
  mint,
  newKey,
  newMasterKey,
  recordFor,
} from './fixtures.js';

const masterKey = newMasterKey();
const key = newKey(masterKey);
const otherSiteKey = newKey(masterKey);
const revokedKey = newKey(masterKey);
const expiredKey = newKey(masterKey);
const graceKey = newKey(masterKey);
const unknownKey = newKey(masterKey);

const records = new Map<string, KeyRecord>([
  [key.kid, recordFor(key)],
  [otherSiteKey.kid, recordFor(otherSiteKey, { siteId: OTHER_SITE_ID })],
  [revokedKey.kid, recordFor(revokedKey, { revokedAt: new Date(NOW - 1000) })],
  [expiredKey.kid, recordFor(expiredKey, { expiresAt: new Date(NOW - 1) })],
  [graceKey.kid, recordFor(graceKey, { expiresAt: new Date(NOW + 3_600_000) })],
]);

function makeVerifier(overrides: Partial<Parameters<typeof createTokenVerifier>[0]> = {}) {
  let lookups = 0;
  const verifier = createTokenVerifier({
    masterKey,
    lookupKey: async (kid) => {
      lookups++;
      return records.get(kid);
    },
    spendNonce: createMemoryNonceSpender({ now: () => NOW }),
    clockSkewMs: 30_000,
    ...overrides,
  });
  return { verifier, lookups: () => lookups };
}

const context: TokenVerifyContext = {
  siteId: SITE_ID,
  origin: ORIGIN,
  url: PAGE_URL,
  now: NOW + 2000,
};
const wrongKeyToken = signPageToken(
  buildPageTokenClaims({ kid: key.kid, origin: ORIGIN, path: '/blog/hello', now: NOW }),
  randomBytes(32),
);

describe('the page-token verifier', () => {
  test.each([
    ['a valid token', mint(key), {}, 'valid'],
    ['a valid prefix token', mint(key, { path: '/blog/*' }), {}, 'valid'],
    ['no token', undefined, {}, 'missing'],
    ['an empty token', '', {}, 'missing'],
    ['a JWT', 'eyJhbGciOiJub25lIn0.e30.', {}, 'malformed'],
    [
      'a token with a flipped MAC character',
      mint(key).replace(/.$/, (c) => (c === 'A' ? 'Q' : 'A')),
      {},
      'bad_signature',
    ],
    ['a token signed with another key under the right kid', wrongKeyToken, {}, 'bad_signature'],
    ['a token whose kid is not in the database', mint(unknownKey), {}, 'unknown_key'],
    ['a token of a revoked key', mint(revokedKey), {}, 'revoked_key'],
    ['a token of a key past its rotation grace', mint(expiredKey), {}, 'expired_key'],
    ['a token of a key inside its rotation grace', mint(graceKey), {}, 'valid'],
    ['a token of another site presented for this site', mint(otherSiteKey), {}, 'wrong_site'],
    [
      'a token for another origin',
      mint(key, { origin: 'https://evil.example' }),
      {},
      'wrong_origin',
    ],
    [
      'a token for http on an https page',
      mint(key, { origin: 'http://shop.example' }),
      {},
      'wrong_origin',
    ],
    [
      'a token for another port',
      mint(key, { origin: 'https://shop.example:8443' }),
      {},
      'wrong_origin',
    ],
    [
      'a token presented with no Origin from a page on another origin',
      mint(key),
      { origin: null, url: 'https://evil.example/blog/hello' },
      'wrong_origin',
    ],
    ['a token for another path', mint(key, { path: '/checkout' }), {}, 'wrong_path'],
    ['a token for a sibling prefix', mint(key, { path: '/blogger/*' }), {}, 'wrong_path'],
    ['a token with an unparsable page URL', mint(key), { url: 'not a url' }, 'wrong_path'],
    [
      'a token past its expiry plus skew',
      mint(key, { ttlMs: 60_000 }),
      { now: NOW + 60_000 + 30_000 },
      'expired',
    ],
    [
      'a token past its expiry but within skew',
      mint(key, { ttlMs: 60_000 }),
      { now: NOW + 60_000 + 29_999 },
      'valid',
    ],
    [
      'a token issued beyond the skew in the future',
      mint(key, { now: NOW + 31_000 }),
      { now: NOW },
      'not_yet_valid',
    ],
    [
      'a token issued within the skew in the future',
      mint(key, { now: NOW + 29_000 }),
      { now: NOW },
      'valid',
    ],
  ])('%s is %s', async (_name, token, patch, status) => {
    const { verifier } = makeVerifier();
    const outcome = await verifier.verify(token, { ...context, ...patch });
    expect(outcome.status).toBe(status);
  });

  test('the Origin header is canonicalised before comparing', async () => {
    const { verifier } = makeVerifier();
    const outcome = await verifier.verify(mint(key), {
      ...context,
      origin: 'HTTPS://SHOP.example:443',
    });
    expect(outcome.status).toBe('valid');
  });

  test('without an Origin header the page URL origin is used', async () => {
    const { verifier } = makeVerifier();
    expect((await verifier.verify(mint(key), { ...context, origin: undefined })).status).toBe(
      'valid',
    );
  });

  test('a token used a second time is replayed; the first use stays valid', async () => {
    const { verifier } = makeVerifier();
    const token = mint(key);
    expect((await verifier.verify(token, context)).status).toBe('valid');
    expect((await verifier.verify(token, context)).status).toBe('replayed');
    expect((await verifier.verify(token, context)).status).toBe('replayed');
  });

  test('check() passes every test but the single use and hands the nonce to the caller, spending nothing', async () => {
    const { verifier } = makeVerifier();
    const token = mint(key);
    const checked = await verifier.check(token, context);
    expect(checked).toMatchObject({ status: 'valid', nonce: { key: expect.stringMatching(new RegExp(`^${key.kid}\\.`)), siteId: SITE_ID } });
    expect(checked.nonce!.expiresAt.getTime()).toBeGreaterThan(NOW);
    // Nothing was spent: checking again says the same, and verify() still gets the first use.
    expect((await verifier.check(token, context)).nonce?.key).toBe(checked.nonce!.key);
    expect((await verifier.verify(token, context)).status).toBe('valid');
    expect((await verifier.check(token, { ...context, url: 'https://shop.example/elsewhere' })).nonce).toBeUndefined();
  });

  test('verify() without a spendNonce option refuses to run rather than skip the single use', async () => {
    const { verifier } = makeVerifier({ spendNonce: undefined });
    await expect(verifier.verify(mint(key), context)).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  test('a failed check does not spend the nonce: the token still works on its own page afterwards', async () => {
    const { verifier } = makeVerifier();
    const token = mint(key);
    const failures = [
      { ...context, url: 'https://shop.example/elsewhere' },
      { ...context, origin: 'https://evil.example' },
      { ...context, siteId: OTHER_SITE_ID },
      { ...context, now: NOW - 60_000 },
    ];
    for (const failing of failures)
      expect((await verifier.verify(token, failing)).status).not.toBe('valid');
    expect((await verifier.verify(token, context)).status).toBe('valid');
  });

  test('the same nonce under two different kids does not collide', async () => {
    const { verifier } = makeVerifier();
    const nonce = randomBytes(16);
    const claimsA = buildPageTokenClaims({
      kid: key.kid,
      origin: ORIGIN,
      path: '/blog/*',
      now: NOW,
      nonce,
    });
    const claimsB = { ...claimsA, kid: graceKey.kid };
    const a = signPageToken(claimsA, deriveSigningKey(key.secretKey));
    const b = signPageToken(claimsB, deriveSigningKey(graceKey.secretKey));
    expect((await verifier.verify(a, context)).status).toBe('valid');
    expect((await verifier.verify(b, context)).status).toBe('valid');
  });

  test('a valid outcome carries the token age and lifetime', async () => {
    const { verifier } = makeVerifier();
    const outcome = await verifier.verify(mint(key, { ttlMs: 120_000 }), context);
    expect(outcome).toMatchObject({ status: 'valid', ageMs: 2000, ttlMs: 120_000, kid: key.kid });
  });

  test('tokens that fail before the signature check carry no age: their claims are not authentic', async () => {
    const { verifier } = makeVerifier();
    const forged = await verifier.verify(wrongKeyToken, context);
    expect(forged.ageMs).toBeUndefined();
    const malformed = await verifier.verify('pt1.AAAA.BBBB', context);
    expect(malformed).toEqual({ status: 'malformed', detail: 'bad_length' });
  });

  test('with minAgeMs a token presented faster than a page could load is not yet valid', async () => {
    const { verifier } = makeVerifier({ minAgeMs: 500 });
    const token = mint(key);
    expect((await verifier.verify(token, { ...context, now: NOW + 100 })).status).toBe(
      'not_yet_valid',
    );
    expect((await verifier.verify(token, { ...context, now: NOW + 600 })).status).toBe('valid');
  });

  test('a bad signature is reported even for a revoked key, so forgeries never learn key states', async () => {
    const { verifier } = makeVerifier();
    const forged = signPageToken(
      buildPageTokenClaims({ kid: revokedKey.kid, origin: ORIGIN, path: '/', now: NOW }),
      randomBytes(32),
    );
    expect((await verifier.verify(forged, context)).status).toBe('bad_signature');
  });

  test('a verifier with the wrong master key cannot open keys and says so loudly', async () => {
    const { verifier } = makeVerifier({ masterKey: newMasterKey() });
    await expect(verifier.verify(mint(key), context)).rejects.toMatchObject({
      code: 'signing_key_unreadable',
    });
  });

  test.each([
    ['a 31-byte master key', { masterKey: randomBytes(31) }],
    ['a negative clock skew', { clockSkewMs: -1 }],
    ['a ten-minute clock skew', { clockSkewMs: 600_000 }],
  ])('a verifier with %s is refused at construction', (_name, patch) => {
    expect(() => makeVerifier(patch)).toThrow();
  });

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

  test('a token assembled with a MAC over different claims is a bad signature', async () => {
    const { verifier } = makeVerifier();
    const claims = buildPageTokenClaims({
      kid: key.kid,
      origin: ORIGIN,
      path: '/blog/hello',
      now: NOW,
    });
    const signed = signPageToken({ ...claims, path: '/other' }, deriveSigningKey(key.secretKey));
    const mac = Buffer.from(signed.split('.')[2] ?? '', 'base64url');
    expect((await verifier.verify(encodePageToken(claims, mac), context)).status).toBe(
      'bad_signature',
    );
  });
});
