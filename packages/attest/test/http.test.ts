import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAttestClient } from '../src/client/client.js';
import { memoryTokenStore } from '../src/client/token-store.js';
import { createVerifier } from '../src/server/verify.js';
import { fromBase64Url } from '../src/shared/bytes.js';
import { parseWwwAuthenticate } from '../src/shared/http-auth.js';
import { formatPowHeader } from '../src/shared/pow.js';
import { decodeTokenChallenge, encodeBatchRequest } from '../src/shared/wire.js';
import { challengeFor, generateKeys, memorySpend } from './helpers.js';
import { startAttestServer, type AttestServer } from './server-fixture.js';

const ORIGIN = 'https://shop.example';
let srv: AttestServer;

/** Node's fetch sends no Origin header; a browser would. Add it as the page's origin. */
const pageFetch: typeof fetch = (input, init) =>
  fetch(input, {
    ...init,
    headers: { ...(init?.headers as Record<string, string> | undefined), origin: ORIGIN },
  });

beforeAll(async () => {
  srv = await startAttestServer({ keys: generateKeys(1) });
});
afterAll(() => srv.close());

test('a Node client gets a batch through the real endpoints and every token redeems once', async () => {
  const client = createAttestClient({ issuerUrl: srv.url, fetch: pageFetch });
  const report = await client.refill();
  expect(report.issued).toBe(5);
  expect(client.count()).toBe(5);
  const verifier = createVerifier({ publicKeys: srv.issuer.verificationKeys() });
  const spend = memorySpend();
  const expectedChallenge = challengeFor('shop.example', 'issuer.test');
  const outcomes = [];
  for (let i = 0; i < 5; i++) {
    const token = await client.token();
    expect(client.authorization(token!)).toMatch(/^PrivateToken token="[A-Za-z0-9_-]+"$/);
    outcomes.push((await verifier.verify(token!, { expectedChallenge, spend })).outcome);
  }
  expect(outcomes).toEqual(['valid', 'valid', 'valid', 'valid', 'valid']);
});

test('token() refills an empty store on its own, and concurrent callers share one issuance', async () => {
  const client = createAttestClient({
    issuerUrl: srv.url,
    fetch: pageFetch,
    batchSize: 3,
    store: memoryTokenStore(),
  });
  const before = srv.seen.filter((r) => r.path === '/v1/attest/issue').length;
  const tokens = await Promise.all([client.token(), client.token(), client.token()]);
  expect(new Set(tokens).size).toBe(3);
  expect(srv.seen.filter((r) => r.path === '/v1/attest/issue').length - before).toBe(1);
});

describe('endpoints', () => {
  test('the directory is RFC 9578 JSON with its media type, cacheable, open to any origin', async () => {
    const res = await fetch(srv.url + '/.well-known/private-token-issuer-directory');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/private-token-issuer-directory');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as {
      'issuer-request-uri': string;
      'token-keys': Array<Record<string, unknown>>;
    };
    expect(body['issuer-request-uri']).toBe('/v1/attest/issue');
    expect(body['token-keys']).toEqual([
      {
        'token-type': 2,
        'token-key': expect.stringMatching(/^[A-Za-z0-9_-]+=*$/),
        'not-before': 1_700_000_000,
      },
    ]);
  });

  test('the challenge carries a PrivateToken WWW-Authenticate bound to the page origin', async () => {
    const res = await pageFetch(srv.url + '/v1/attest/challenge', { method: 'POST' });
    expect(res.status).toBe(200);
    const parsed = parseWwwAuthenticate(res.headers.get('www-authenticate')!);
    expect(parsed).not.toBeNull();
    expect(decodeTokenChallenge(parsed!.challenge)).toEqual(
      challengeFor('shop.example', 'issuer.test'),
    );
    const body = (await res.json()) as {
      'token-challenge': string;
      pow: { bits: number; k: number };
    };
    expect(fromBase64Url(body['token-challenge'])).toEqual(parsed!.challenge);
    expect(body.pow).toMatchObject({ bits: 6, k: 2, 'max-tokens': 5 });
  });

  const blinded = encodeBatchRequest([
    { tokenType: 2, truncatedTokenKeyId: 0, blindedMsg: new Uint8Array(256) },
  ]);
  test.each([
    {
      name: 'a challenge request without an Origin',
      status: 400,
      code: 'origin_required',
      run: () => fetch(srv.url + '/v1/attest/challenge', { method: 'POST' }),
    },
    {
      name: 'an issuance without proof of work',
      status: 401,
      code: 'pow_required',
      run: () =>
        fetch(srv.url + '/v1/attest/issue', {
          method: 'POST',
          headers: { 'content-type': 'application/private-token-batch-request' },
          body: blinded,
        }),
    },
    {
      name: 'an issuance with a forged proof of work',
      status: 403,
      code: 'pow_invalid',
      run: () =>
        fetch(srv.url + '/v1/attest/issue', {
          method: 'POST',
          headers: {
            'content-type': 'application/private-token-batch-request',
            'tagward-pow': formatPowHeader(
              'v1.AAAAAAAAAAAAAAAAAAAAAA.9999999999.0.2.5.AAAA',
              [1, 2],
            ),
          },
          body: blinded,
        }),
    },
    {
      name: 'an issuance in text/plain',
      status: 415,
      code: 'unsupported_media_type',
      run: () =>
        fetch(srv.url + '/v1/attest/issue', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: 'x',
        }),
    },
    {
      name: 'a GET on the issuance endpoint',
      status: 405,
      code: 'method_not_allowed',
      run: () => fetch(srv.url + '/v1/attest/issue'),
    },
    {
      name: 'an oversized body',
      status: 413,
      code: 'body_too_large',
      run: () =>
        fetch(srv.url + '/v1/attest/issue', {
          method: 'POST',
          headers: { 'content-type': 'application/private-token-batch-request' },
          body: new Uint8Array(70_000),
        }),
    },
  ])('refuses $name with $status $code', async ({ run, status, code }) => {
    const res = await run();
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error: { code, message: expect.any(String) } });
  });

  /** Takes a challenge for the page, does its work for `body`, and asks for issuance. */
  async function issueWithWork(contentType: string, body: Uint8Array): Promise<Response> {
    const { solvePow } = await import('../src/client/pow-solver.js');
    const offer = (await (
      await pageFetch(srv.url + '/v1/attest/challenge', { method: 'POST' })
    ).json()) as { pow: { challenge: string } };
    const { counters } = await solvePow(offer.pow.challenge, body);
    return fetch(srv.url + '/v1/attest/issue', {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'tagward-pow': formatPowHeader(offer.pow.challenge, counters),
      },
      body,
    });
  }

  // [test name, media type, body, status, error code]
  test.each([
    [
      'refuses a batch larger than the solved challenge allows, after checking the work',
      'application/private-token-batch-request',
      () =>
        encodeBatchRequest(
          Array.from({ length: 6 }, () => ({
            tokenType: 2,
            truncatedTokenKeyId: srv.issuer.currentKey().keyId[31]!,
            blindedMsg: new Uint8Array(256).fill(1),
          })),
        ),
      400,
      'too_many_tokens',
    ],
    [
      'answers an RFC 9578 single TokenRequest for an unknown key with 422 unknown_key',
      'application/private-token-request',
      () => {
        const wrongId = (srv.issuer.currentKey().keyId[31]! + 1) % 256;
        return new Uint8Array([0, 2, wrongId, ...new Uint8Array(256).fill(1)]);
      },
      422,
      'unknown_key',
    ],
  ] as const)('%s', async (_name, contentType, body, status, code) => {
    const res = await issueWithWork(contentType, body());
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  test('answers the CORS preflight of the issuance request', async () => {
    const res = await fetch(srv.url + '/v1/attest/issue', {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, tagward-pow',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-headers')).toContain('tagward-pow');
  });

  test('leaves other paths to the beacon', async () => {
    expect((await fetch(srv.url + '/v1/collect')).status).toBe(404);
  });

  test('the admit hook can refuse a challenge', async () => {
    const strict = await startAttestServer({
      keys: generateKeys(1),
      handlers: { admit: () => false },
    });
    try {
      const res = await pageFetch(strict.url + '/v1/attest/challenge', { method: 'POST' });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_admitted');
    } finally {
      await strict.close();
    }
  });
});
