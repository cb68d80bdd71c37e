import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '@tagward/db';
import { hashPassword } from '@tagward/auth';
import { generatePublishableKey, generateSecretKey, parseMasterKey } from '@tagward/keys';
import type { DemoConfig } from './config.js';

const DEMO_SITE_NAME = 'Demo shop';

async function ensureUser(db: Database, email: string, password: string, role: 'user' | 'admin') {
  const existing = await db.models.User.findOne({ email }).lean();
  if (existing) return existing._id;
  const created = await db.models.User.create({ email, passwordHash: await hashPassword(password), role });
  return created._id;
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
): Promise<{ publicKey: string; secretKey: string; attestationCohortPct: number }> {
  const ownerId = await ensureUser(db, config.demoEmail, config.demoPassword, 'user');
  await ensureUser(db, config.adminEmail, config.adminPassword, 'admin');

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
    if (record) return { publicKey: site.publicKey, secretKey, attestationCohortPct: site.attestationCohortPct };
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
  return { publicKey: site.publicKey, secretKey: generated.secretKey, attestationCohortPct: site.attestationCohortPct };
}
