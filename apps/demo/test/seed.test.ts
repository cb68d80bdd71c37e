import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { verifyPassword } from '@tagward/auth';
import { demoConfigSchema, type DemoConfig } from '../src/config.js';
import { seedDemo } from '../src/seed.js';

let db: TestDatabase;
let config: DemoConfig;

beforeAll(async () => {
  db = await createTestDatabase('demo_seed');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-demo-seed-'));
  config = demoConfigSchema.parse({
    masterKey: randomBytes(32).toString('base64'),
    attestIssuerKeyFile: path.join(dataDir, 'unused.pem'),
    attestSecret: randomBytes(32).toString('base64'),
    dataDir,
  });
});
afterAll(async () => {
  await db?.dispose();
});

test('the first start seeds the demo account, an admin and the demo site with the page origin allowed', async () => {
  const seeded = await seedDemo(db, config, { siteOrigin: 'http://localhost:4200' });
  expect(seeded.publicKey).toMatch(/^pk_test_/);
  expect(seeded.secretKey).toMatch(/^sk_test_/);
  const user = await db.models.User.findOne({ email: config.demoEmail }).lean();
  expect(user?.role).toBe('user');
  expect(await verifyPassword(user!.passwordHash, config.demoPassword)).toBe(true);
  const admin = await db.models.User.findOne({ email: config.adminEmail }).lean();
  expect(admin?.role).toBe('admin');
  // Platform admins must have two-factor; the seeded accounts count as verified.
  expect(admin?.totp?.keyEnc).toMatch(/^v1\./);
  expect(seeded.adminTotpKey).toMatch(/^[A-Z2-7]{32}$/);
  expect(user?.emailVerifiedAt).toBeInstanceOf(Date);
  const site = await db.models.Site.findOne({ publicKey: seeded.publicKey }).lean();
  expect(site?.allowedOrigins).toEqual(['http://localhost:4200']);
  expect(site?.members).toEqual([{ userId: user!._id, role: 'owner' }]);
  // Only the hash of the secret key is stored, never the key.
  const key = await db.models.SecretKey.findOne({ siteId: site!._id }).lean();
  expect(JSON.stringify(key)).not.toContain(seeded.secretKey);
  // The single-page app is a second site on the same origin, and it requires page tokens.
  const app = await db.models.Site.findOne({ publicKey: seeded.app.publicKey }).lean();
  expect(app?.pageTokenRequired).toBe(true);
  expect(site?.pageTokenRequired).toBe(false);
  expect(app?.allowedOrigins).toEqual(['http://localhost:4200']);
  expect(seeded.app.secretKey).not.toBe(seeded.secretKey);
});

test('a later start keeps what is there, reuses the secret key and allows a new demo origin', async () => {
  const first = await seedDemo(db, config, { siteOrigin: 'http://localhost:4200' });
  const again = await seedDemo(db, config, { siteOrigin: 'http://localhost:4300' });
  expect(again).toEqual(first);
  expect(await db.models.User.countDocuments({})).toBe(2);
  expect(await db.models.Site.countDocuments({})).toBe(2);
  expect(await db.models.SecretKey.countDocuments({})).toBe(2);
  const site = await db.models.Site.findOne({ publicKey: first.publicKey }).lean();
  expect(site?.allowedOrigins).toEqual(['http://localhost:4200', 'http://localhost:4300']);
});
