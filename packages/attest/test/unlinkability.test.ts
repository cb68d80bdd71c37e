/**
 * Unlinkability (RFC 9576 §3.3): the issuer side and the redemption side each see some fields;
 * this test records exactly which, from real requests, and shows they share no value that could
 * join an issuance to a redemption. A control run with the blinding switched off shows that the
 * linking attack used here does work when the protocol is broken, so the test can fail.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAttestClient } from '../src/client/client.js';
import { bigIntToBytes, bytesToBigInt, modInverse, modPow } from '../src/shared/bigint.js';
import { fromBase64Url, randomBytes, sha256, toHex } from '../src/shared/bytes.js';
import { parsePowHeader } from '../src/shared/pow.js';
import { blind, finalize, rsaPublicKey } from '../src/shared/rsabssa.js';
import { parseRsaPssSpki } from '../src/shared/spki.js';
import {
  decodeBatchRequest,
  decodeBatchResponse,
  decodeToken,
  encodeBatchRequest,
  encodeToken,
  encodeTokenChallenge,
  encodeTokenInput,
} from '../src/shared/wire.js';
import { challengeFor, generateKeys } from './helpers.js';
import { startAttestServer, type AttestServer } from './server-fixture.js';

let srv: AttestServer;
const ORIGIN = 'https://shop.example';
const withOrigin: typeof fetch = (input, init) =>
  fetch(input, {
    ...init,
    headers: { ...(init?.headers as Record<string, string> | undefined), origin: ORIGIN },
  });

interface IssuerView {
  tokenType: number[];
  truncatedKeyId: number[];
  blindedMsgs: Uint8Array[];
  blindSigs: Uint8Array[];
  powChallenge: string;
  powCounters: number[];
  headers: Record<string, string>;
}

interface RedeemerView {
  tokenType: number;
  nonce: Uint8Array;
  challengeDigest: Uint8Array;
  tokenKeyId: Uint8Array;
  authenticator: Uint8Array;
}

const issuerViews: IssuerView[] = [];
const redeemerViews: RedeemerView[] = [];

beforeAll(async () => {
  srv = await startAttestServer({ keys: generateKeys(1), attester: { maxTokens: 4 } });
  // Three visitors, four tokens each, through the real endpoints.
  for (let visitor = 0; visitor < 3; visitor++) {
    const client = createAttestClient({ issuerUrl: srv.url, fetch: withOrigin });
    await client.refill();
    for (let i = 0; i < 4; i++)
      redeemerViews.push(decodeToken(fromBase64Url((await client.token())!)));
  }
  // What the issuer received, per issuance request (body + headers), and what it answered.
  const issues = srv.seen.filter((r) => r.path === '/v1/attest/issue' && r.method === 'POST');
  for (const request of issues) {
    const requests = decodeBatchRequest(request.body);
    const pow = parsePowHeader(String(request.headers['tagward-pow']))!;
    issuerViews.push({
      tokenType: requests.map((r) => r.tokenType),
      truncatedKeyId: requests.map((r) => r.truncatedTokenKeyId),
      blindedMsgs: requests.map((r) => r.blindedMsg),
      // RSA signing is deterministic: re-signing the recorded body reproduces the response bytes.
      blindSigs: decodeBatchResponse(srv.issuer.issueBatch(request.body).response),
      powChallenge: pow.challenge,
      powCounters: pow.counters,
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
    });
  }
});
afterAll(() => srv.close());

/** Every 8-byte window of a byte string: a shared window would be a shared value. */
function windows(bytes: Uint8Array, size = 8): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + size <= bytes.length; i++) out.add(toHex(bytes.subarray(i, i + size)));
  return out;
}

function issuerBytes(view: IssuerView): Uint8Array[] {
  const text = new TextEncoder();
  return [
    ...view.blindedMsgs,
    ...view.blindSigs,
    text.encode(view.powChallenge),
    text.encode(view.powCounters.join(',')),
    ...Object.values(view.headers).map((v) => text.encode(v)),
  ];
}

describe('what each side sees', () => {
  test('the issuer sees token type, truncated key id, blinded messages, its signatures, proof of work and request headers', () => {
    expect(issuerViews).toHaveLength(3);
    for (const view of issuerViews) {
      expect(Object.keys(view).sort()).toEqual([
        'blindSigs',
        'blindedMsgs',
        'headers',
        'powChallenge',
        'powCounters',
        'tokenType',
        'truncatedKeyId',
      ]);
      expect(view.blindedMsgs).toHaveLength(4);
      // Headers are what any HTTP server sees; the attest handlers read only content-type,
      // tagward-pow and origin, and store none of them.
      expect(view.headers['tagward-pow']).toBeDefined();
    }
  });

  test('the redeemer sees token type, nonce, challenge digest, token key id and authenticator', () => {
    expect(redeemerViews).toHaveLength(12);
    expect(Object.keys(redeemerViews[0]!).sort()).toEqual([
      'authenticator',
      'challengeDigest',
      'nonce',
      'tokenKeyId',
      'tokenType',
    ]);
  });

  test('the fields both sides know (token type, key id, origin binding) are the same for every visitor', () => {
    expect(new Set(redeemerViews.map((v) => v.tokenType))).toEqual(new Set([2]));
    expect(new Set(redeemerViews.map((v) => toHex(v.tokenKeyId))).size).toBe(1);
    expect(new Set(redeemerViews.map((v) => toHex(v.challengeDigest))).size).toBe(1);
    expect(new Set(issuerViews.flatMap((v) => v.truncatedKeyId)).size).toBe(1);
  });
});

describe('no value joins an issuance to a redemption', () => {
  test('no 8-byte window of any per-token redemption field appears anywhere in what the issuer saw', () => {
    const seenByIssuer = new Set<string>();
    for (const view of issuerViews)
      for (const bytes of issuerBytes(view)) for (const w of windows(bytes)) seenByIssuer.add(w);
    for (const token of redeemerViews) {
      for (const field of [token.nonce, token.authenticator]) {
        for (const w of windows(field)) expect(seenByIssuer.has(w)).toBe(false);
      }
    }
  });

  test('the issuer, holding the private key, cannot match a blinded message to a token (s^e = EM never equals any blinded message)', () => {
    const { n, e } = parseRsaPssSpki(srv.issuer.currentKey().spki);
    const blinded = new Set(issuerViews.flatMap((v) => v.blindedMsgs.map(toHex)));
    for (const token of redeemerViews) {
      const encoded = modPow(bytesToBigInt(token.authenticator), e, n);
      expect(blinded.has(toHex(bigIntToBytes(encoded, 256)))).toBe(false);
    }
  });

  test('every (issuance, token) pairing is explained by some blinding factor, so all pairings look alike to the issuer', () => {
    const { n, e } = parseRsaPssSpki(srv.issuer.currentKey().spki);
    for (const view of issuerViews) {
      for (const [i, z] of view.blindedMsgs.entries()) {
        const blindSig = bytesToBigInt(view.blindSigs[i]!);
        for (const token of redeemerViews) {
          // r = blind_sig / sig is the blind that would turn this token into this request.
          const s = bytesToBigInt(token.authenticator);
          const r = (blindSig * modInverse(s, n)!) % n;
          const em = modPow(s, e, n);
          expect((em * modPow(r, e, n)) % n).toBe(bytesToBigInt(z));
        }
      }
    }
  });

  test('control: with the blinding switched off, the same attack links every token to its request', async () => {
    const key = srv.issuer.currentKey();
    const { n, e } = parseRsaPssSpki(key.spki);
    const pk = rsaPublicKey(n, e);
    const digest = await sha256(encodeTokenChallenge(challengeFor('shop.example', 'issuer.test')));
    const fields = {
      tokenType: 2,
      nonce: randomBytes(32),
      challengeDigest: digest,
      tokenKeyId: key.keyId,
    };
    const input = encodeTokenInput(fields);
    // inv = 1 means r = 1: the "blinded" message is the encoded message itself.
    const unblinded = await blind(pk, input, { salt: randomBytes(48), inv: 1n });
    const request = encodeBatchRequest([
      { tokenType: 2, truncatedTokenKeyId: key.keyId[31]!, blindedMsg: unblinded.blindedMsg },
    ]);
    const [sig] = decodeBatchResponse(srv.issuer.issueBatch(request).response) as [Uint8Array];
    const token = decodeToken(
      encodeToken({ ...fields, authenticator: await finalize(pk, input, sig, 1n) }),
    );
    const encoded = modPow(bytesToBigInt(token.authenticator), e, n);
    expect(toHex(bigIntToBytes(encoded, 256))).toBe(toHex(unblinded.blindedMsg));
  });
});
