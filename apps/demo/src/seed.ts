import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '@tagward/db';
import { generateTotpKey, hashPassword, totpKeyText } from '@tagward/auth';
import { setTotpKeyDirectly } from '@tagward/api';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generatePublishableKey, generateSecretKey, parseMasterKey } from '@tagward/keys';
import type { DemoConfig } from './config.js';

const DEMO_SITE_NAME = 'Demo shop';

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

/**
 * First start: the demo account, a platform admin, and the demo site whose allowlist holds the
 * demo page's origin. Later starts keep what is there and only refresh the allowlist (the demo
 * site's port may change) and, if the demo backend's secret key is gone, issue a new one.
 */
export async function seedDemo(
  db: Database,
  config: DemoConfig,
  options: { siteOrigin: string },
): Promise<{ publicKey: string; secretKey: string; attestationCohortPct: number; adminTotpKey: string }> {
  const ownerId = await ensureUser(db, config.demoEmail, config.demoPassword, 'user');
  const adminId = await ensureUser(db, config.adminEmail, config.adminPassword, 'admin');
  const adminTotpKey = await ensureAdminTotp(db, config, adminId);

  let site = await db.models.Site.findOne({ name: DEMO_SITE_NAME, 'members.userId': ownerId }).lean();
  if (!site) {
    const created = await db.models.Site.create({
      name: DEMO_SITE_NAME,
      publicKey: generatePublishableKey('test'),
      mode: 'test',
      allowedOrigins: [options.siteOrigin],
      members: [{ userId: ownerId, role: 'owner' }],
      // Half of the demo's page views take part in the attestation experiment.
      attestationCohortPct: 50,
    });
    site = created.toObject();
  } else if (!site.allowedOrigins.includes(options.siteOrigin)) {
    await db.models.Site.updateOne({ _id: site._id }, { $addToSet: { allowedOrigins: options.siteOrigin } });
  }

  // The demo backend's secret key lives only in the git-ignored data folder, as a client's would
  // live in their own secret store: the database holds just its hash and the sealed signing key.
  const secretFile = path.join(config.dataDir, `secret-key-${String(site._id)}`);
  if (fs.existsSync(secretFile)) {
    const secretKey = fs.readFileSync(secretFile, 'utf8').trim();
    const kid = secretKey.split('_')[2];
    const record = await db.models.SecretKey.findOne({ kid, revokedAt: null }).lean();
    if (record) return { publicKey: site.publicKey, secretKey, attestationCohortPct: site.attestationCohortPct, adminTotpKey };
  }
  const generated = generateSecretKey({ mode: 'test', masterKey: parseMasterKey(config.masterKey) });
  await db.models.SecretKey.create({
    siteId: site._id,
    kid: generated.kid,
    secretHash: generated.secretHash,
    signingKeyEnc: generated.signingKeyEnc,
    hint: generated.hint,
  });
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(secretFile, generated.secretKey, { mode: 0o600 });
  return { publicKey: site.publicKey, secretKey: generated.secretKey, attestationCohortPct: site.attestationCohortPct, adminTotpKey };
}
