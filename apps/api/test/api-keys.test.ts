/**
 * Restricted keys in the dashboard's API: created by owners with scopes and an optional expiry,
 * the key shown once and stored as a hash only, listed with their use, revoked at once.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { hashSecretKey } from '@tagward/keys';
import { addMemberByInvitation, codeOf, signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';
import { ownedSite, rest } from './support/integrations.js';
import { MAX_RESTRICTED_KEYS } from '../src/services/api-keys.js';

let api: TestApi;
let owner: TestClient;
let siteId: string;

beforeAll(async () => {
  api = await startTestApi('api_keys');
  owner = await signedUpClient(api);
  siteId = (await ownedSite(owner)).siteId;
});
afterAll(async () => {
  await api?.close();
});

test('a new key is shown once; the database holds its hash only; the list never shows it again', async () => {
  const created = await owner.trpc.apiKeys.create.mutate({ siteId, name: 'BI export', scopes: ['stats:read', 'events:read'], expiresInDays: 30 });
  expect(created.restrictedKey).toMatch(/^rk_live_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
  expect(created.key).toMatchObject({ name: 'BI export', scopes: ['events:read', 'stats:read'], state: 'active' });
  expect(Date.parse(created.key.expiresAt!) - Date.now()).toBeGreaterThan(29 * 86_400_000);
  const stored = await api.db.models.RestrictedKey.findOne({ kid: created.key.kid }).lean();
  expect(stored?.secretHash).toBe(hashSecretKey(created.restrictedKey));
  // Nothing stored contains the key's secret part.
  const dump = JSON.stringify(await api.db.models.RestrictedKey.find({}).lean());
  expect(dump).not.toContain(created.restrictedKey.slice(-43));
  const list = await owner.trpc.apiKeys.list.query({ siteId });
  expect(JSON.stringify(list)).not.toContain(created.restrictedKey.slice(-43));
  expect(list[0]!.display).toBe(`rk_live_${created.key.kid}_…${created.restrictedKey.slice(-4)}`);
  expect((await rest(api, '/stats/aggregate', created.restrictedKey)).status).toBe(200);
});

test('uses are counted per key and shown in the list', async () => {
  const created = await owner.trpc.apiKeys.create.mutate({ siteId, name: 'counted', scopes: ['stats:read'] });
  for (let i = 0; i < 3; i++) await rest(api, '/stats/aggregate', created.restrictedKey);
  await rest(api, '/events', created.restrictedKey); // refused for its scope: still a use of the key
  // Counts are written about once a second.
  await expect
    .poll(async () => (await owner.trpc.apiKeys.list.query({ siteId })).find((k) => k.kid === created.key.kid)?.usage30d, { timeout: 5000 })
    .toEqual({ requests: 4, limited: 0 });
  const listed = (await owner.trpc.apiKeys.list.query({ siteId })).find((k) => k.kid === created.key.kid);
  expect(listed?.lastUsedAt).not.toBeNull();
});

test('revoking stops the key on the next request', async () => {
  const created = await owner.trpc.apiKeys.create.mutate({ siteId, name: 'leaked', scopes: ['stats:read'] });
  expect((await rest(api, '/stats/aggregate', created.restrictedKey)).status).toBe(200);
  const list = await owner.trpc.apiKeys.revoke.mutate({ siteId, kid: created.key.kid });
  expect(list.find((k) => k.kid === created.key.kid)?.state).toBe('revoked');
  expect((await rest(api, '/stats/aggregate', created.restrictedKey)).status).toBe(401);
});

test('viewers and strangers cannot list or create keys; bad input is refused', async () => {
  const viewer = await signedUpClient(api);
  await addMemberByInvitation(owner, siteId, viewer, 'viewer');
  expect(await codeOf(viewer.trpc.apiKeys.list.query({ siteId }))).toBe('FORBIDDEN');
  expect(await codeOf(viewer.trpc.apiKeys.create.mutate({ siteId, name: 'x', scopes: ['verify'] }))).toBe('FORBIDDEN');
  const stranger = await signedUpClient(api);
  expect(await codeOf(stranger.trpc.apiKeys.list.query({ siteId }))).toBe('NOT_FOUND');
  expect(await codeOf(owner.trpc.apiKeys.create.mutate({ siteId, name: 'x', scopes: [] }))).toBe('BAD_REQUEST');
  expect(await codeOf(owner.trpc.apiKeys.create.mutate({ siteId, name: 'x', scopes: ['admin' as 'verify'] }))).toBe('BAD_REQUEST');
});

test(`a site has at most ${MAX_RESTRICTED_KEYS} working restricted keys, even when created at once`, async () => {
  const other = (await ownedSite(owner, 'Capped')).siteId;
  const results = await Promise.allSettled(Array.from({ length: MAX_RESTRICTED_KEYS + 3 }, (_, i) => owner.trpc.apiKeys.create.mutate({ siteId: other, name: `k${i}`, scopes: ['verify'] })));
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_RESTRICTED_KEYS);
  expect(await api.db.models.RestrictedKey.countDocuments({ siteId: other })).toBe(MAX_RESTRICTED_KEYS);
});
