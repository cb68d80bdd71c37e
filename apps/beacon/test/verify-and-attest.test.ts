import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateIssuerKeyPem } from '@tagward/attest';
import { createAttestClient } from '@tagward/attest/client';
import { createVerifyClient } from '@tagward/sdk-node';
import { SITE_ORIGIN, beaconPayload, mintAgedToken, postBeacon, seedSite, startTestBeacon, type TestBeacon, type TestSite } from './helpers.js';

let t: TestBeacon;
let second: TestBeacon;
let site: TestSite;

beforeAll(async () => {
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-attest-')), 'issuer.pem');
  fs.writeFileSync(keyFile, generateIssuerKeyPem());
  const attest = {
    attestIssuerKeyFile: keyFile,
    attestSecret: randomBytes(32).toString('base64'),
    attestIssuerName: 'beacon.test',
    // Cheap proof of work: this test checks the protocol, not the cost.
    attestDifficultyBits: 4,
  };
  t = await startTestBeacon('verify_attest', attest);
  // A second beacon process on the same database and issuer keys.
  second = await startTestBeacon('verify_attest_2', attest, t.db);
  site = await seedSite(t.db, t.masterKey);
});
afterAll(async () => {
  await second?.close();
  await t?.close();
});

describe('the verify API', () => {
  test('a client backend reads the score, verdict and reasons of its own beacon with its secret key', async () => {
    const payload = beaconPayload(site.publicKey, { token: await mintAgedToken(site) });
    expect((await postBeacon(t.url, JSON.stringify(payload))).status).toBe(200);
    const client = createVerifyClient({ secretKey: site.secretKey, endpoint: t.url });
    const verification = await client.getBeacon(payload.id);
    expect(verification).toMatchObject({ id: payload.id, verdict: 'trusted' });
    expect(verification.reasons.map((r) => r.code)).toContain('page_token_valid');
  });

  test.each([
    ['no Authorization header', undefined, 401, 'unauthorized'],
    ['a made-up secret key', 'Bearer sk_live_AAAAAAAAAAAAAAAA_' + 'A'.repeat(43), 401, 'unauthorized'],
    ['a publishable key', 'Bearer pk_live_AAAAAAAAAAAAAAAAAAAA', 401, 'unauthorized'],
  ])('%s gets %i %s', async (_name, authorization, status, code) => {
    const res = await fetch(`${t.url}/v1/verify/beacons/abcdefgh12`, {
      headers: authorization ? { authorization } : {},
    });
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  test("another site's secret key cannot read this site's beacon", async () => {
    const payload = beaconPayload(site.publicKey);
    expect((await postBeacon(t.url, JSON.stringify(payload))).status).toBe(200);
    const other = await seedSite(t.db, t.masterKey, { origins: ['https://other.example'] });
    const res = await fetch(`${t.url}/v1/verify/beacons/${payload.id}`, {
      headers: { authorization: `Bearer ${other.secretKey}` },
    });
    expect(res.status).toBe(404);
  });
});

describe('the attestation experiment', () => {
  const pageFetch: typeof fetch = (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), origin: SITE_ORIGIN } });

  test('the issuer directory is served at its well-known path', async () => {
    const res = await fetch(`${t.url}/.well-known/private-token-issuer-directory`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { 'token-keys': unknown[] };
    expect(body['token-keys'].length).toBeGreaterThan(0);
  });

  test('a token issued after the challenge redeems once; its double spend and a forged token get their own outcomes', async () => {
    const client = createAttestClient({ issuerUrl: t.url, fetch: pageFetch, batchSize: 2 });
    await client.refill();
    const token = (await client.token())!;
    const first = beaconPayload(site.publicKey, { att: token, cohort: true });
    const again = beaconPayload(site.publicKey, { att: token, cohort: true });
    const forged = beaconPayload(site.publicKey, { att: token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA'), cohort: true });
    for (const p of [first, again, forged]) expect((await postBeacon(t.url, JSON.stringify(p))).status).toBe(200);
    const status = async (id: string) =>
      ((await t.db.models.Event.findOne({ eventId: id }).lean())?.signals as { attestation: { status: string } }).attestation.status;
    expect(await status(first.id)).toBe('valid');
    expect(await status(again.id)).toBe('double_spent');
    expect(await status(forged.id)).toBe('invalid');
    const stored = await t.db.models.Event.findOne({ eventId: first.id }).lean();
    expect(stored?.attestationCohort).toBe(true);
  });

  test('a solved proof of work issues tokens once: sent again, to this beacon or another, it is refused before any signing', async () => {
    let issuance: { url: string; init: RequestInit } | undefined;
    const recordingFetch: typeof fetch = (input, init) => {
      if (String(input).includes('/v1/attest/issue') && !issuance) issuance = { url: String(input), init: { ...init } };
      return pageFetch(input, init);
    };
    await createAttestClient({ issuerUrl: t.url, fetch: recordingFetch, batchSize: 2 }).refill();
    expect(issuance).toBeDefined();
    const replay = (base: string) => pageFetch(issuance!.url.replace(t.url, base), issuance!.init);
    const answers = await Promise.all([replay(t.url), replay(second.url), replay(t.url)]);
    for (const res of answers) {
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('pow_replayed');
    }
  });
});
