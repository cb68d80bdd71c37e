/** The verify API takes restricted keys with the `verify` scope, and counts every use per key. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { generateRestrictedKey } from '@tagward/keys';
import { TagwardError, createVerifyClient } from '@tagward/sdk-node';
import { beaconPayload, postBeacon, seedSite, startTestBeacon, type TestBeacon, type TestSite } from './helpers.js';

let t: TestBeacon;
let site: TestSite;

async function restrictedKey(scopes: string[], over: { revokedAt?: Date; expiresAt?: Date } = {}): Promise<{ key: string; kid: string }> {
  const key = generateRestrictedKey({ mode: 'live' });
  await t.db.models.RestrictedKey.create({
    siteId: new Types.ObjectId(site.siteId),
    kid: key.kid,
    secretHash: key.secretHash,
    hint: key.hint,
    name: 'backend',
    scopes,
    createdBy: new Types.ObjectId(),
    ...over,
  });
  return { key: key.restrictedKey, kid: key.kid };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof TagwardError) return error.code;
    throw error;
  }
}

beforeAll(async () => {
  t = await startTestBeacon('verify_restricted');
  site = await seedSite(t.db, t.masterKey);
});
afterAll(async () => {
  await t?.close();
});

test('a restricted key with the verify scope reads the beacon; others are refused with their own codes', async () => {
  const payload = beaconPayload(site.publicKey);
  expect((await postBeacon(t.url, JSON.stringify(payload))).status).toBe(200);
  const verify = await restrictedKey(['verify']);
  const stats = await restrictedKey(['stats:read', 'events:read']);
  const revoked = await restrictedKey(['verify'], { revokedAt: new Date(Date.now() - 1000) });
  const expired = await restrictedKey(['verify'], { expiresAt: new Date(Date.now() - 1000) });
  const client = (key: string) => createVerifyClient({ secretKey: key, endpoint: t.url });

  await expect(client(verify.key).getBeacon(payload.id)).resolves.toMatchObject({ id: payload.id });
  expect(await codeOf(client(stats.key).getBeacon(payload.id))).toBe('insufficient_scope');
  expect(await codeOf(client(revoked.key).getBeacon(payload.id))).toBe('unauthorized');
  expect(await codeOf(client(expired.key).getBeacon(payload.id))).toBe('key_expired');

  // Uses are counted per key (written about once a second), and the key's last use recorded.
  await expect
    .poll(async () => (await t.db.models.KeyUsage.findOne({ kid: verify.kid }).lean())?.requests ?? 0, { timeout: 5000 })
    .toBe(1);
  await expect.poll(async () => (await t.db.models.RestrictedKey.findOne({ kid: verify.kid }).lean())?.lastUsedAt, { timeout: 5000 }).toBeInstanceOf(Date);
  expect((await t.db.models.KeyUsage.findOne({ kid: stats.kid }).lean())?.requests).toBe(1);
});
