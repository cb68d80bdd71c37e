// Single use: a token is valid once, and only a use that passes every other check spends it.
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { buildPageTokenClaims, signPageToken } from '@tagward/protocol';
import { deriveSigningKey } from '../src/index.js';
import { NOW, ORIGIN, OTHER_SITE_ID, SITE_ID, mint } from './fixtures.js';
import { context, graceKey, key, makeVerifier } from './verifier-fixtures.js';

describe('the page-token verifier: single use', () => {
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
    expect(checked).toMatchObject({
      status: 'valid',
      nonce: { key: expect.stringMatching(new RegExp(`^${key.kid}\\.`)), siteId: SITE_ID },
    });
    expect(checked.nonce!.expiresAt.getTime()).toBeGreaterThan(NOW);
    // Nothing was spent: checking again says the same, and verify() still gets the first use.
    expect((await verifier.check(token, context)).nonce?.key).toBe(checked.nonce!.key);
    expect((await verifier.verify(token, context)).status).toBe('valid');
    expect(
      (await verifier.check(token, { ...context, url: 'https://shop.example/elsewhere' })).nonce,
    ).toBeUndefined();
  });

  test('verify() without a spendNonce option refuses to run rather than skip the single use', async () => {
    const { verifier } = makeVerifier({ spendNonce: undefined });
    await expect(verifier.verify(mint(key), context)).rejects.toMatchObject({
      code: 'invalid_argument',
    });
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
});
