import { describe, expect, test } from 'vitest';
import { fromBase64Url, toBase64Url } from '../src/shared/bytes.js';
import { createIssuer } from '../src/server/issuer.js';
import { AttestError } from '../src/server/errors.js';
import { createVerifier, verifyToken, type RedemptionOutcome } from '../src/server/verify.js';
import { decodeToken, encodeTokenChallenge } from '../src/shared/wire.js';
import { T0, challengeFor, generateKeys, memorySpend, mintTokens } from './helpers.js';

const [oldPem, newPem, strangerPem] = generateKeys(3) as [string, string, string];
const site = challengeFor('shop.example');
const otherSite = challengeFor('evil.example');

/**
 * Rotation timeline used below (seconds from T0):
 *   old key: issues [0, 1000), verifies until 2000
 *   new key: issues from 1000 on
 */
function rotatingIssuer(at: number) {
  return createIssuer({
    now: () => (T0 + at) * 1000,
    announceAheadSeconds: 500,
    keys: [
      { privateKey: oldPem, notBefore: T0, retireAt: T0 + 1000, expiresAt: T0 + 2000 },
      { privateKey: newPem, notBefore: T0 + 1000 },
    ],
  });
}

describe('redemption outcomes', () => {
  const cases: Array<{
    name: string;
    expected: RedemptionOutcome;
    token: () => Promise<string>;
    at?: number;
  }> = [
    {
      name: 'accepts a fresh token bound to this origin',
      expected: 'valid',
      token: async () => (await mintTokens(rotatingIssuer(10), site, 1)).tokens[0]!,
    },
    {
      name: 'rejects a forged token (one bit of the authenticator flipped) as invalid',
      expected: 'invalid',
      token: async () => {
        const bytes = fromBase64Url((await mintTokens(rotatingIssuer(10), site, 1)).tokens[0]!);
        bytes[200] = (bytes[200] as number) ^ 0x01;
        return toBase64Url(bytes);
      },
    },
    {
      name: 'rejects a token whose nonce was swapped after signing as invalid',
      expected: 'invalid',
      token: async () => {
        const bytes = fromBase64Url((await mintTokens(rotatingIssuer(10), site, 1)).tokens[0]!);
        bytes.set(new Uint8Array(32).fill(7), 2);
        return toBase64Url(bytes);
      },
    },
    {
      name: 'rejects a token signed by a key the beacon does not know as invalid',
      expected: 'invalid',
      token: async () => {
        const stranger = createIssuer({
          now: () => (T0 + 10) * 1000,
          keys: [{ privateKey: strangerPem, notBefore: T0 }],
        });
        return (await mintTokens(stranger, site, 1)).tokens[0]!;
      },
    },
    {
      name: 'rejects a truncated token as invalid',
      expected: 'invalid',
      token: async () => (await mintTokens(rotatingIssuer(10), site, 1)).tokens[0]!.slice(0, 100),
    },
    {
      name: 'rejects a genuine token bound to another origin as wrong_origin',
      expected: 'wrong_origin',
      token: async () => (await mintTokens(rotatingIssuer(10), otherSite, 1)).tokens[0]!,
    },
    {
      name: 'accepts a token of the retired key inside the overlap window',
      expected: 'valid',
      at: 1500,
      token: async () => (await mintTokens(rotatingIssuer(10), site, 1)).tokens[0]!,
    },
    {
      name: 'rejects a genuine token of a rotated-out key as expired_key',
      expected: 'expired_key',
      at: 2000,
      token: async () => (await mintTokens(rotatingIssuer(10), site, 1)).tokens[0]!,
    },
  ];

  test.each(cases)('$name', async ({ expected, token, at }) => {
    const verifier = createVerifier({
      publicKeys: rotatingIssuer(0).verificationKeys(),
      now: () => (T0 + (at ?? 10)) * 1000,
    });
    const result = await verifier.verify(await token(), {
      expectedChallenge: site,
      spend: memorySpend(),
    });
    expect(result.outcome).toBe(expected);
  });

  test('rejects the second redemption of the same token as double_spent', async () => {
    const verifier = createVerifier({
      publicKeys: rotatingIssuer(0).verificationKeys(),
      now: () => (T0 + 10) * 1000,
    });
    const [token] = (await mintTokens(rotatingIssuer(10), site, 1)).tokens as [string];
    const spend = memorySpend();
    expect((await verifier.verify(token, { expectedChallenge: site, spend })).outcome).toBe(
      'valid',
    );
    expect((await verifier.verify(token, { expectedChallenge: site, spend })).outcome).toBe(
      'double_spent',
    );
  });

  test('never spends the nonce of a token it rejects', async () => {
    const verifier = createVerifier({
      publicKeys: rotatingIssuer(0).verificationKeys(),
      now: () => (T0 + 10) * 1000,
    });
    const [token] = (await mintTokens(rotatingIssuer(10), otherSite, 1)).tokens as [string];
    const spent: string[] = [];
    const spend = async (nonce: string) => (spent.push(nonce), true);
    expect((await verifier.verify(token, { expectedChallenge: site, spend })).outcome).toBe(
      'wrong_origin',
    );
    expect(spent).toEqual([]);
  });

  test('accepts a token whose origin is one of several expected challenges (encoded or not)', async () => {
    const [token] = (await mintTokens(rotatingIssuer(10), otherSite, 1)).tokens as [string];
    const publicKeys = rotatingIssuer(0).verificationKeys();
    const result = await verifyToken(token, {
      publicKeys,
      at: (T0 + 10) * 1000,
      expectedChallenge: [site, encodeTokenChallenge(otherSite)],
      spend: memorySpend(),
    });
    expect(result).toMatchObject({
      outcome: 'valid',
      nonce: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(result.nonce).toBe(Buffer.from(decodeToken(fromBase64Url(token)).nonce).toString('hex'));
  });
});

describe('key rotation', () => {
  test.each([
    { at: 10, listed: ['old'], issuing: 'old' },
    { at: 600, listed: ['new', 'old'], issuing: 'old' },
    { at: 1000, listed: ['new', 'old'], issuing: 'new' },
    { at: 1999, listed: ['new', 'old'], issuing: 'new' },
    { at: 2000, listed: ['new'], issuing: 'new' },
  ])(
    'at T0+$at the directory lists $listed and the $issuing key issues',
    async ({ at, listed, issuing }) => {
      const ids = {
        old: rotatingIssuer(10).currentKey().spki,
        new: rotatingIssuer(1000).currentKey().spki,
      };
      const name = (b64: string) =>
        Buffer.from(fromBase64Url(b64)).equals(Buffer.from(ids.old)) ? 'old' : 'new';
      const issuer = rotatingIssuer(at);
      const directory = issuer.directory();
      expect(directory['token-keys'].map((k) => name(k['token-key']))).toEqual(listed);
      expect(directory['token-keys'].every((k) => k['token-type'] === 2)).toBe(true);
      expect(
        Buffer.from(issuer.currentKey().spki).equals(Buffer.from(ids[issuing as 'old' | 'new'])),
      ).toBe(true);
    },
  );

  test('the issuer refuses to sign with a retired key, naming the error code', async () => {
    const oldKey = rotatingIssuer(10).currentKey();
    await expect(mintTokens(rotatingIssuer(1000), site, 1, oldKey)).rejects.toSatisfy(
      (error: unknown) => error instanceof AttestError && error.code === 'unknown_key',
    );
  });

  test('refuses two keys that share a truncated key id', () => {
    expect(() =>
      createIssuer({
        keys: [
          { privateKey: oldPem, notBefore: T0 },
          { privateKey: oldPem, notBefore: T0 + 1 },
        ],
      }),
    ).toThrow(/truncated key id/);
  });
});

describe('issuer input checks', () => {
  const issuer = rotatingIssuer(10);
  test.each([
    { name: 'an empty body', body: new Uint8Array(0), code: 'malformed_request' },
    {
      name: 'a TokenRequest of another token type',
      body: new Uint8Array([0, 1, 0, ...new Uint8Array(256)]),
      code: 'unsupported_token_type',
    },
    {
      name: 'a TokenRequest one byte short',
      body: new Uint8Array([0, 2, 0, ...new Uint8Array(255)]),
      code: 'malformed_request',
    },
    {
      name: 'a blinded message equal to 0xff…ff (not below n)',
      body: new Uint8Array([
        0,
        2,
        issuer.currentKey().keyId[31]!,
        ...new Uint8Array(256).fill(0xff),
      ]),
      code: 'malformed_request',
    },
  ])('rejects $name with $code', ({ body, code }) => {
    expect(() => issuer.issue(body)).toThrow(expect.objectContaining({ code }));
  });
});

describe('challengeForOrigin', () => {
  test('returns one frozen object per (issuer, origin), so digests are computed once', async () => {
    const { challengeForOrigin } = await import('../src/server/challenges.js');
    const a = challengeForOrigin('beacon.test', 'shop.example');
    expect(challengeForOrigin('beacon.test', 'shop.example')).toBe(a);
    expect(challengeForOrigin('beacon.test', 'other.example')).not.toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(encodeTokenChallenge(a)).toEqual(
      encodeTokenChallenge(challengeFor('shop.example', 'beacon.test')),
    );
  });
});
