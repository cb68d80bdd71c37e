import type { Database, SecretKeyDoc } from '@tagward/db';
import {
  MAX_ROTATION_GRACE_MS,
  generateSecretKey,
  keyState,
  planRevocation,
  rotateSecretKey,
  type GeneratedSecretKey,
} from '@tagward/keys';
import type { Types } from 'mongoose';
import type { NewSecretKeyDto, SecretKeyDto } from '../dto.js';
import type { Actor } from '../permissions.js';
import { audit } from './audit.js';
import { badRequest, notFound } from './errors.js';
import type { SiteRow } from './sites.js';

type KeyRow = SecretKeyDoc & { _id: Types.ObjectId; createdAt?: Date };

/** More working keys than this is a sign of keys created and forgotten. */
export const MAX_WORKING_KEYS = 5;

function toKeyDto(key: KeyRow, now: Date): SecretKeyDto {
  return {
    kid: key.kid,
    hint: key.hint,
    state: keyState({ kid: key.kid, expiresAt: key.expiresAt ?? null, revokedAt: key.revokedAt ?? null }, now.getTime()),
    createdAt: (key.createdAt ?? new Date(0)).toISOString(),
    expiresAt: key.expiresAt ? key.expiresAt.toISOString() : null,
    revokedAt: key.revokedAt ? key.revokedAt.toISOString() : null,
  };
}

async function siteKeys(db: Database, site: SiteRow): Promise<KeyRow[]> {
  return (await db.models.SecretKey.find({ siteId: site._id }).sort({ createdAt: -1 }).lean()) as KeyRow[];
}

export async function listKeys(db: Database, site: SiteRow, now: Date): Promise<SecretKeyDto[]> {
  return (await siteKeys(db, site)).map((key) => toKeyDto(key, now));
}

async function storeKey(db: Database, site: SiteRow, key: GeneratedSecretKey): Promise<NewSecretKeyDto> {
  // Stored: the hash (authenticates verify-API calls) and the signing key sealed under the master
  // key (verifies page tokens). Never stored: the key itself, which is returned once, below.
  await db.models.SecretKey.create({
    siteId: site._id,
    kid: key.kid,
    secretHash: key.secretHash,
    signingKeyEnc: key.signingKeyEnc,
    hint: key.hint,
    expiresAt: null,
    revokedAt: null,
  });
  return { secretKey: key.secretKey, kid: key.kid, hint: key.hint };
}

/** An additional secret key (the site keeps its others). Shown once. */
export async function createSecretKey(
  db: Database,
  masterKey: Uint8Array,
  site: SiteRow,
  actor: Actor,
  now: Date,
): Promise<NewSecretKeyDto> {
  const working = (await siteKeys(db, site)).filter((k) => {
    const state = keyState({ kid: k.kid, expiresAt: k.expiresAt ?? null, revokedAt: k.revokedAt ?? null }, now.getTime());
    return state === 'active' || state === 'expiring';
  });
  if (working.length >= MAX_WORKING_KEYS) {
    throw badRequest(`A site can have at most ${MAX_WORKING_KEYS} working secret keys. Revoke one first.`);
  }
  const mode = site.mode === 'live' ? 'live' : 'test';
  const created = await storeKey(db, site, generateSecretKey({ mode, masterKey }));
  await audit(db, { actorId: actor.id, action: 'key.create', target: `${String(site._id)}/${created.kid}`, at: now });
  return created;
}

/**
 * Rotation: a new key now; every working old key keeps working for `graceHours` (default 24,
 * so deploys that still carry the old key do not break) or stops at once with `graceHours: 0`.
 */
export async function rotateSecretKeys(
  db: Database,
  masterKey: Uint8Array,
  site: SiteRow,
  actor: Actor,
  graceHours: number,
  now: Date,
): Promise<{ secretKey: NewSecretKeyDto; keys: SecretKeyDto[] }> {
  const graceMs = Math.round(graceHours * 3_600_000);
  if (graceMs > MAX_ROTATION_GRACE_MS) throw badRequest('The grace period can be at most 7 days.');
  const existing = await siteKeys(db, site);
  const { created, updates } = rotateSecretKey({
    mode: site.mode === 'live' ? 'live' : 'test',
    masterKey,
    keys: existing.map((k) => ({ kid: k.kid, expiresAt: k.expiresAt ?? null, revokedAt: k.revokedAt ?? null })),
    now: now.getTime(),
    strategy: graceMs === 0 ? { kind: 'revoke' } : { kind: 'grace', graceMs },
  });
  // The new key is stored before the old ones are cut short: a failure in between leaves two
  // working keys, never none.
  const secretKey = await storeKey(db, site, created);
  for (const update of updates) {
    const $set: Record<string, Date> = {};
    if (update.expiresAt) $set.expiresAt = update.expiresAt;
    if (update.revokedAt) $set.revokedAt = update.revokedAt;
    await db.models.SecretKey.updateOne({ kid: update.kid, siteId: site._id }, { $set });
  }
  await audit(db, {
    actorId: actor.id,
    action: 'key.rotate',
    target: `${String(site._id)}/${created.kid}`,
    after: { graceHours, superseded: updates.map((u) => u.kid) },
    at: now,
  });
  return { secretKey, keys: await listKeys(db, site, now) };
}

/** Stops one key at once (a leak). The beacon notices within its key cache lifetime (seconds). */
export async function revokeSecretKey(db: Database, site: SiteRow, actor: Actor, kid: string, now: Date): Promise<SecretKeyDto[]> {
  const key = (await db.models.SecretKey.findOne({ kid, siteId: site._id }).lean()) as KeyRow | null;
  if (!key) throw notFound('No such key on this site.');
  const update = planRevocation({ kid: key.kid, expiresAt: key.expiresAt ?? null, revokedAt: key.revokedAt ?? null }, now.getTime());
  if (update?.revokedAt) {
    await db.models.SecretKey.updateOne({ _id: key._id }, { $set: { revokedAt: update.revokedAt } });
    await audit(db, { actorId: actor.id, action: 'key.revoke', target: `${String(site._id)}/${kid}`, at: now });
  }
  return listKeys(db, site, now);
}
