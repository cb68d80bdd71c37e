import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '@tagward/db';
import { generateTotpKey, hashPassword, totpKeyText } from '@tagward/auth';
import { setTotpKeyDirectly } from '@tagward/api';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generatePublishableKey, generateSecretKey, parseMasterKey, storedSecretKey } from '@tagward/keys';
import type { DemoConfig } from './config.js';

/** The demo shop: page tokens on most pages, not required. */
const DEMO_SITE_NAME = 'Demo shop';
/** The demo single-page app (/app/ on the same origin): a site that requires page tokens. */
const DEMO_APP_NAME = 'Demo app';

/** Keys of one seeded demo site, as the client's backend holds them. */
export interface DemoSiteKeys {
  publicKey: string;
  secretKey: string;
  attestationCohortPct: number;
}

export interface DemoSeed extends DemoSiteKeys {
  /** The single-page app, whose site requires a valid page token on every beacon. */
  app: DemoSiteKeys;
  /** The demo admin's TOTP key (base32), printed by npm start. */
  adminTotpKey: string;
}

/** The demo's accounts are made by the operator (this seed), so their addresses count as verified. */
async function ensureUser(db: Database, email: string, password: string, role: 'user' | 'admin') {
  const existing = await db.models.User.findOne({ email }).lean();
  if (existing) {
    if (!existing.emailVerifiedAt) await db.models.User.updateOne({ _id: existing._id }, { $set: { emailVerifiedAt: new Date() } });
    return existing._id;
  }
  const created = await db.models.User.create({ email, passwordHash: await hashPassword(password), role, emailVerifiedAt: new Date() });
  return created._id;
}

interface SiteSpec {
  name: string;
  origin: string;
  pageTokenRequired: boolean;
  attestationCohortPct: number;
}

/**
 * Platform admins must have two-factor. The demo admin's TOTP key is kept in the git-ignored data
 * folder and printed by `npm start` (like its password), for an authenticator app or the tests.
 */
async function ensureAdminTotp(db: Database, config: DemoConfig, adminId: unknown): Promise<string> {
  const file = path.join(config.dataDir, 'admin-totp-key');
  const known = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
  const text = known ?? totpKeyText(generateTotpKey());
  if (!known) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o600 });
  }
  const admin = await db.models.User.findById(adminId, { totp: 1 }).lean();
  if (!known || !admin?.totp) {
    await setTotpKeyDirectly(db, parseMasterKey(config.masterKey), String(adminId), decodeBase32IgnorePadding(text), new Date());
  }
  return text;
}

type UserId = Awaited<ReturnType<typeof ensureUser>>;

async function ensureSite(db: Database, ownerId: UserId, spec: SiteSpec) {
  const site = await db.models.Site.findOne({ name: spec.name, 'members.userId': ownerId }).lean();
  if (!site) {
    const created = await db.models.Site.create({
      name: spec.name,
      publicKey: generatePublishableKey('test'),
      mode: 'test',
      allowedOrigins: [spec.origin],
      members: [{ userId: ownerId, role: 'owner' }],
      pageTokenRequired: spec.pageTokenRequired,
      attestationCohortPct: spec.attestationCohortPct,
    });
    return created.toObject();
  }
  if (!site.allowedOrigins.includes(spec.origin)) {
    await db.models.Site.updateOne({ _id: site._id }, { $addToSet: { allowedOrigins: spec.origin } });
  }
  return site;
}

// The demo backend's secret key lives only in the git-ignored data folder, as a client's would
// live in their own secret store: the database holds just its hash and the sealed signing key.
async function ensureSecretKey(db: Database, config: DemoConfig, siteId: UserId): Promise<string> {
  const secretFile = path.join(config.dataDir, `secret-key-${String(siteId)}`);
  if (fs.existsSync(secretFile)) {
    const secretKey = fs.readFileSync(secretFile, 'utf8').trim();
    const kid = secretKey.split('_')[2];
    const record = await db.models.SecretKey.findOne({ kid, revokedAt: null }).lean();
    if (record) return secretKey;
  }
  const generated = generateSecretKey({ mode: 'test', masterKey: parseMasterKey(config.masterKey) });
  await db.models.SecretKey.create({ siteId, ...storedSecretKey(generated) });
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(secretFile, generated.secretKey, { mode: 0o600 });
  return generated.secretKey;
}

async function seedSite(db: Database, config: DemoConfig, ownerId: UserId, spec: SiteSpec): Promise<DemoSiteKeys> {
  const site = await ensureSite(db, ownerId, spec);
  const secretKey = await ensureSecretKey(db, config, site._id);
  return { publicKey: site.publicKey, secretKey, attestationCohortPct: site.attestationCohortPct };
}

/**
 * First start: the demo account, a platform admin, and the two demo sites (the shop and the
 * single-page app, both served from the demo page's origin) whose allowlists hold that origin.
 * Later starts keep what is there and only refresh the allowlists (the demo site's port may
 * change) and, if a demo backend's secret key is gone, issue a new one.
 */
export async function seedDemo(db: Database, config: DemoConfig, options: { siteOrigin: string }): Promise<DemoSeed> {
  const ownerId = await ensureUser(db, config.demoEmail, config.demoPassword, 'user');
  const adminId = await ensureUser(db, config.adminEmail, config.adminPassword, 'admin');
  const adminTotpKey = await ensureAdminTotp(db, config, adminId);
  // Half of the shop's page views take part in the attestation experiment.
  const shop = await seedSite(db, config, ownerId, {
    name: DEMO_SITE_NAME,
    origin: options.siteOrigin,
    pageTokenRequired: false,
    attestationCohortPct: 50,
  });
  const app = await seedSite(db, config, ownerId, {
    name: DEMO_APP_NAME,
    origin: options.siteOrigin,
    pageTokenRequired: true,
    attestationCohortPct: 0,
  });
  return { ...shop, app, adminTotpKey };
}
