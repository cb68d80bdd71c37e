import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PUBLISHABLE_KEY_PATTERN } from '@tagward/protocol';
import { SECRET_KEY_PATTERN, hashSecretKey, openSigningKey, deriveSigningKey } from '@tagward/keys';
import { recordEvents } from './support/record-events.js';
import { addMemberByInvitation, codeOf, messageOf, signedUpClient, startTestApi, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('api_sites');
});
afterAll(async () => {
  await api?.close();
});

const HOUR = 3_600_000;

describe('sites', () => {
  test('creating a site makes the creator its owner, with a publishable key of its mode', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: '  My shop ', mode: 'live' });
    expect(site).toMatchObject({ name: 'My shop', mode: 'live', role: 'owner', allowedOrigins: [] });
    expect(site.publicKey).toMatch(PUBLISHABLE_KEY_PATTERN);
    expect(site.publicKey.startsWith('pk_live_')).toBe(true);
    expect(await owner.trpc.sites.list.query()).toEqual([{ id: site.id, name: 'My shop', mode: 'live', publicKey: site.publicKey, role: 'owner' }]);
  });

  test('the first secret key is shown once at creation and only its hash and sealed signing key are stored', async () => {
    const owner = await signedUpClient(api);
    const { site, secretKey: created } = await owner.trpc.sites.create.mutate({ name: 'Keys', mode: 'test' });
    const secretKey = created!;
    expect(secretKey.secretKey).toMatch(SECRET_KEY_PATTERN);
    expect(secretKey.secretKey.startsWith('sk_test_')).toBe(true);
    const stored = await api.db.conn.collection('secret_keys').findOne({ kid: secretKey.kid });
    expect(JSON.stringify(stored)).not.toContain(secretKey.secretKey);
    expect(stored?.secretHash).toBe(hashSecretKey(secretKey.secretKey));
    const listed = await owner.trpc.keys.list.query({ siteId: site.id });
    expect(listed).toEqual([expect.objectContaining({ kid: secretKey.kid, hint: secretKey.secretKey.slice(-4), state: 'active' })]);
    expect(JSON.stringify(listed)).not.toContain(secretKey.secretKey);
  });

  test('rename and settings change the site; a blank name is refused', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Old', mode: 'live' });
    expect((await owner.trpc.sites.rename.mutate({ siteId: site.id, name: 'New' })).name).toBe('New');
    expect(await codeOf(owner.trpc.sites.rename.mutate({ siteId: site.id, name: '   ' }))).toBe('BAD_REQUEST');
    const updated = await owner.trpc.sites.updateSettings.mutate({ siteId: site.id, pageTokenRequired: true, attestationCohortPct: 10 });
    expect(updated).toMatchObject({ pageTokenRequired: true, attestationCohortPct: 10 });
  });

  test('deleting needs the exact name, and removes the site, its keys, events and rollups', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Doomed', mode: 'live' });
    const siteId = (await api.db.models.Site.findById(site.id).lean())!._id;
    await recordEvents(api.db, siteId, [{ receivedAt: new Date(), path: '/', verdict: 'trusted', score: 1 }]);
    expect(await messageOf(owner.trpc.sites.delete.mutate({ siteId: site.id, confirmName: 'doomed' }))).toMatch(/Type the site name exactly/);
    expect(await api.db.models.Site.countDocuments({ _id: siteId })).toBe(1);
    await owner.trpc.sites.delete.mutate({ siteId: site.id, confirmName: 'Doomed' });
    expect(await api.db.models.Site.countDocuments({ _id: siteId })).toBe(0);
    expect(await api.db.models.SecretKey.countDocuments({ siteId })).toBe(0);
    for (const name of ['events', 'rollups_hourly', 'rollups_daily', 'rollups_paths', 'rollups_paths_daily']) {
      expect(await api.db.conn.collection(name).countDocuments({ siteId })).toBe(0);
    }
    expect(await codeOf(owner.trpc.sites.get.query({ siteId: site.id }))).toBe('NOT_FOUND');
  });

  test('an invited viewer who accepts is a member; inviting a member again is refused; the last owner cannot be removed', async () => {
    const owner = await signedUpClient(api);
    const viewer = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Team', mode: 'live' });
    await addMemberByInvitation(owner, site.id, viewer, 'viewer');
    const members = await owner.trpc.sites.members.query({ siteId: site.id });
    expect(members.map((m) => [m.email, m.role, m.isYou])).toEqual([
      [owner.email, 'owner', true],
      [viewer.email, 'viewer', false],
    ]);
    expect(await codeOf(owner.trpc.invitations.create.mutate({ siteId: site.id, email: viewer.email, role: 'owner' }))).toBe('CONFLICT');
    expect((await viewer.trpc.sites.get.query({ siteId: site.id })).role).toBe('viewer');
    expect(await messageOf(owner.trpc.sites.removeMember.mutate({ siteId: site.id, userId: owner.userId }))).toMatch(/at least one owner/);
    await owner.trpc.sites.removeMember.mutate({ siteId: site.id, userId: viewer.userId });
    expect(await codeOf(viewer.trpc.sites.get.query({ siteId: site.id }))).toBe('NOT_FOUND');
  });

  test('the install snippet tolerates an unbuilt embed script with a clear message', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Install', mode: 'live' });
    const install = await owner.trpc.sites.install.query({ siteId: site.id });
    expect(install).toMatchObject({ available: false, snippet: null });
    expect(install.message).toMatch(/npm run build -w @tagward\/embed/);
  });
});

describe('allowed origins', () => {
  test.each([
    ['HTTPS://Shop.Example.com/', 'live', 'https://shop.example.com'],
    ['https://*.example.com', 'live', 'https://*.example.com'],
    ['https://bücher.example', 'live', 'https://xn--bcher-kva.example'],
    ['http://localhost:3000', 'test', 'http://localhost:3000'],
  ] as const)('%s on a %s site is stored as %s', async (input, mode, stored) => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Origins', mode });
    expect(await owner.trpc.origins.check.query({ input, mode })).toEqual({ ok: true, value: stored });
    const updated = await owner.trpc.origins.add.mutate({ siteId: site.id, origin: input });
    expect(updated.allowedOrigins).toEqual([stored]);
    // Adding the same origin again is idempotent.
    expect((await owner.trpc.origins.add.mutate({ siteId: site.id, origin: stored })).allowedOrigins).toEqual([stored]);
    expect((await owner.trpc.origins.remove.mutate({ siteId: site.id, origin: stored })).allowedOrigins).toEqual([]);
  });

  test.each([
    ['https://shop.example.com/path', 'live', 'has_path'],
    ['shop.example.com', 'live', 'missing_scheme'],
    ['http://localhost:3000', 'live', 'localhost_live'],
    ['https://*.com', 'live', 'wildcard_too_broad'],
  ] as const)('%s on a %s site is refused (%s) inline and on save', async (input, mode, code) => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Origins', mode });
    const check = await owner.trpc.origins.check.query({ input, mode });
    expect(check).toMatchObject({ ok: false, code });
    expect(await codeOf(owner.trpc.origins.add.mutate({ siteId: site.id, origin: input }))).toBe('BAD_REQUEST');
    expect((await owner.trpc.sites.get.query({ siteId: site.id })).allowedOrigins).toEqual([]);
  });
});

describe('secret keys', () => {
  test('rotation issues a new key and leaves the old one working for the grace period', async () => {
    const owner = await signedUpClient(api);
    const { site, secretKey: createdFirst } = await owner.trpc.sites.create.mutate({ name: 'Rotate', mode: 'live' });
    const first = createdFirst!;
    const before = Date.now();
    const { secretKey: second, keys } = await owner.trpc.keys.rotate.mutate({ siteId: site.id });
    expect(second.secretKey).toMatch(SECRET_KEY_PATTERN);
    expect(second.kid).not.toBe(first.kid);
    const old = keys.find((k) => k.kid === first.kid)!;
    expect(old.state).toBe('expiring');
    expect(Date.parse(old.expiresAt!) - before).toBeGreaterThanOrEqual(24 * HOUR - 1000);
    expect(Date.parse(old.expiresAt!) - before).toBeLessThanOrEqual(24 * HOUR + 60_000);
    expect(keys.find((k) => k.kid === second.kid)!.state).toBe('active');
  });

  test('rotation with no grace revokes the old key at once', async () => {
    const owner = await signedUpClient(api);
    const { site, secretKey: createdFirst } = await owner.trpc.sites.create.mutate({ name: 'Rotate now', mode: 'live' });
    const first = createdFirst!;
    const { keys } = await owner.trpc.keys.rotate.mutate({ siteId: site.id, graceHours: 0 });
    expect(keys.find((k) => k.kid === first.kid)!.state).toBe('revoked');
  });

  test('revoking a key stops it now and is idempotent', async () => {
    const owner = await signedUpClient(api);
    const { site, secretKey: createdSecretkey } = await owner.trpc.sites.create.mutate({ name: 'Revoke', mode: 'live' });
    const secretKey = createdSecretkey!;
    const keys = await owner.trpc.keys.revoke.mutate({ siteId: site.id, kid: secretKey.kid });
    expect(keys[0]).toMatchObject({ kid: secretKey.kid, state: 'revoked' });
    expect(await codeOf(owner.trpc.keys.revoke.mutate({ siteId: site.id, kid: secretKey.kid }))).toBe('OK');
    const created = await owner.trpc.keys.create.mutate({ siteId: site.id });
    expect(created.secretKey).toMatch(SECRET_KEY_PATTERN);
  });

  test('the stored signing key opens only with the master key, to the key the SDK derives', async () => {
    const owner = await signedUpClient(api);
    const { secretKey: createdSecretkey } = await owner.trpc.sites.create.mutate({ name: 'Seal', mode: 'live' });
    const secretKey = createdSecretkey!;
    const row = await api.db.models.SecretKey.findOne({ kid: secretKey.kid }).lean();
    const opened = openSigningKey(row!.signingKeyEnc, { kid: secretKey.kid, masterKey: api.config.masterKey });
    expect(Buffer.from(opened).equals(deriveSigningKey(secretKey.secretKey))).toBe(true);
    const wrongMaster = new Uint8Array(32).fill(7);
    expect(() => openSigningKey(row!.signingKeyEnc, { kid: secretKey.kid, masterKey: wrongMaster })).toThrow();
  });
});
