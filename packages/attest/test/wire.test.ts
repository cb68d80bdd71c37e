import fc from 'fast-check';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { fromBase64Url, fromHex, toBase64Url, toHex } from '../src/shared/bytes.js';
import {
  formatAuthorization,
  formatWwwAuthenticate,
  parseAuthorization,
  parseWwwAuthenticate,
} from '../src/shared/http-auth.js';
import { encodeRsaPssSpki, parseRsaPssSpki } from '../src/shared/spki.js';
import {
  NK,
  TOKEN_LENGTH,
  decodeBatchRequest,
  decodeBatchResponse,
  decodeToken,
  decodeTokenChallenge,
  decodeTokenRequest,
  encodeBatchRequest,
  encodeBatchResponse,
  encodeToken,
  encodeTokenChallenge,
  encodeTokenRequest,
  type TokenChallenge,
} from '../src/shared/wire.js';

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const hostname = fc.domain();
const challengeArb: fc.Arbitrary<TokenChallenge> = fc.record({
  tokenType: fc.constant(2),
  issuerName: hostname,
  redemptionContext: fc.oneof(bytes(0), bytes(32)),
  originInfo: fc.array(hostname, { maxLength: 4 }),
});
const requestArb = fc.record({
  tokenType: fc.constant(2),
  truncatedTokenKeyId: fc.integer({ min: 0, max: 255 }),
  blindedMsg: bytes(NK),
});
const tokenArb = fc.record({
  tokenType: fc.constant(2),
  nonce: bytes(32),
  challengeDigest: bytes(32),
  tokenKeyId: bytes(32),
  authenticator: bytes(NK),
});

describe('codecs round-trip', () => {
  test('TokenChallenge', () => {
    fc.assert(
      fc.property(challengeArb, (c) => {
        expect(decodeTokenChallenge(encodeTokenChallenge(c))).toEqual(c);
      }),
    );
  });
  test('TokenRequest', () => {
    fc.assert(
      fc.property(requestArb, (r) => {
        expect(decodeTokenRequest(encodeTokenRequest(r))).toEqual(r);
      }),
    );
  });
  test('Token, which is always exactly TOKEN_LENGTH bytes', () => {
    fc.assert(
      fc.property(tokenArb, (t) => {
        const encoded = encodeToken(t);
        expect(encoded.length).toBe(TOKEN_LENGTH);
        expect(decodeToken(encoded)).toEqual(t);
      }),
    );
  });
  test('batch request and response', () => {
    fc.assert(
      fc.property(fc.array(requestArb, { minLength: 1, maxLength: 6 }), (rs) => {
        expect(decodeBatchRequest(encodeBatchRequest(rs))).toEqual(rs);
        const sigs = rs.map((r) => r.blindedMsg);
        expect(decodeBatchResponse(encodeBatchResponse(sigs))).toEqual(sigs);
      }),
      { numRuns: 30 },
    );
  });
  test('base64url, with or without padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const text = toBase64Url(b);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(fromBase64Url(text)).toEqual(b);
        expect(
          fromBase64Url(
            Buffer.from(b).toString('base64url') + '='.repeat((4 - (text.length % 4)) % 4),
          ),
        ).toEqual(b);
      }),
    );
  });
});

describe('decoders reject malformed input', () => {
  test('any truncation or extension of a TokenChallenge fails to decode', () => {
    fc.assert(
      fc.property(challengeArb, fc.integer({ min: 1, max: 5 }), fc.boolean(), (c, cut, extend) => {
        const encoded = encodeTokenChallenge(c);
        const broken = extend
          ? new Uint8Array([...encoded, ...new Uint8Array(cut)])
          : encoded.subarray(0, Math.max(0, encoded.length - cut));
        expect(() => decodeTokenChallenge(broken)).toThrow();
      }),
    );
  });
  test.each([
    { name: 'a token one byte short', run: () => decodeToken(new Uint8Array(TOKEN_LENGTH - 1)) },
    {
      name: 'a token of type 0x0001',
      run: () => decodeToken(new Uint8Array([0, 1, ...new Uint8Array(TOKEN_LENGTH - 2)])),
    },
    {
      name: 'a redemption context of 16 bytes',
      run: () =>
        encodeTokenChallenge({
          tokenType: 2,
          issuerName: 'a',
          redemptionContext: new Uint8Array(16),
          originInfo: [],
        }),
    },
    {
      name: 'an empty issuer name',
      run: () => decodeTokenChallenge(fromHex('0002000000' + '0000')),
    },
    { name: 'an empty batch', run: () => decodeBatchRequest(fromHex('0000')) },
    {
      name: 'a batch with a partial TokenRequest',
      run: () => decodeBatchRequest(fromHex('0004000200ff')),
    },
    { name: 'standard base64 characters', run: () => fromBase64Url('ab+/') },
  ])('rejects $name', ({ run }) => {
    expect(run).toThrow();
  });
});

test('encodes a TokenChallenge in the RFC 9577 §2.1 layout', () => {
  const encoded = encodeTokenChallenge({
    tokenType: 2,
    issuerName: 'issuer.example',
    redemptionContext: new Uint8Array(0),
    originInfo: ['a.example', 'b.example'],
  });
  // token_type | u16 len + issuer_name | u8 len + context | u16 len + "a.example,b.example"
  expect(toHex(encoded)).toBe(
    '0002' +
      '000e' +
      toHex(new TextEncoder().encode('issuer.example')) +
      '00' +
      '0013' +
      toHex(new TextEncoder().encode('a.example,b.example')),
  );
});

describe('HTTP authentication headers (RFC 9577)', () => {
  test('WWW-Authenticate round-trips challenge, token-key and max-age', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        fc.nat(),
        (c, k, age) => {
          expect(parseWwwAuthenticate(formatWwwAuthenticate(c, k, age))).toEqual({
            challenge: c,
            tokenKey: k,
            maxAge: age,
          });
        },
      ),
    );
  });
  test('Authorization round-trips the token', () => {
    fc.assert(
      fc.property(tokenArb, (t) => {
        expect(parseAuthorization(formatAuthorization(encodeToken(t)))).toEqual(encodeToken(t));
      }),
    );
  });
  test.each([
    ['Basic dXNlcjpwYXNz', null],
    ['PrivateToken', null],
    ['PrivateToken token=abc', fromBase64Url('abc')],
    ['privatetoken  token="AAEC"', new Uint8Array([0, 1, 2])],
    ['PrivateToken token="AAEC" junk', null],
    ['PrivateToken token="A+/="', null],
  ])('parses Authorization %j', (header, expected) => {
    expect(parseAuthorization(header)).toEqual(expected);
  });
  test('reads a challenge with padding and parameters in another order', () => {
    const parsed = parseWwwAuthenticate('PrivateToken token-key="AAE=", challenge="AAIA"');
    expect(parsed).toEqual({
      challenge: new Uint8Array([0, 2, 0]),
      tokenKey: new Uint8Array([0, 1]),
    });
  });
});

describe('RSASSA-PSS SubjectPublicKeyInfo', () => {
  const { publicKey: reference } = generateKeyPairSync('rsa-pss', {
    modulusLength: 2048,
    hashAlgorithm: 'sha384',
    mgf1HashAlgorithm: 'sha384',
    // @types/node 20 types saltLength as a string; Node wants the number of bytes.
    saltLength: 48 as unknown as string,
  });

  test('encodes byte for byte what OpenSSL exports for an RSA-PSS SHA-384 / salt 48 key', () => {
    // node:crypto cannot export an rsa-pss key as JWK, so n and e come from the DER itself.
    const der = reference.export({ format: 'der', type: 'spki' });
    const { n, e } = parseRsaPssSpki(new Uint8Array(der));
    expect(n.toString(2)).toHaveLength(2048);
    expect(e).toBe(65537n);
    expect(toHex(encodeRsaPssSpki(n, e))).toBe(der.toString('hex'));
  });

  test('node:crypto reads it back as an rsa-pss key pinned to SHA-384 and salt 48', () => {
    const spki = reference.export({ format: 'der', type: 'spki' });
    const { n, e } = parseRsaPssSpki(new Uint8Array(spki));
    const key = createPublicKey({
      key: Buffer.from(encodeRsaPssSpki(n, e)),
      format: 'der',
      type: 'spki',
    });
    expect(key.asymmetricKeyType).toBe('rsa-pss');
    expect(key.asymmetricKeyDetails).toMatchObject({
      modulusLength: 2048,
      hashAlgorithm: 'sha384',
      mgf1HashAlgorithm: 'sha384',
      saltLength: 48,
    });
  });

  test('refuses a plain rsaEncryption SPKI', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(() =>
      parseRsaPssSpki(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))),
    ).toThrow(/RSASSA-PSS/);
  });
});
