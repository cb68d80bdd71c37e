import type { Database, SecretKeyDoc } from '@tagward/db';
import {
  MAX_ROTATION_GRACE_MS,
  generateSecretKey,
  keyState,
  planRevocation,
  rotateSecretKey,
  storedSecretKey,
  type GeneratedSecretKey,
} from '@tagward/keys';
import type { ClientSession, Types } from 'mongoose';
import type { NewSecretKeyDto, SecretKeyDto } from '../dto.js';
import type { Actor } from '../permissions.js';
import { audit } from './audit.js';
import { emitWebhookEvent } from './webhooks/outbox.js';
import { badRequest, notFound } from './errors.js';
import type { SiteRow } from './site-row.js';

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

async function siteKeys(db: Database, site: SiteRow, session?: ClientSession): Promise<KeyRow[]> {
  return (await db.models.SecretKey.find({ siteId: site._id }, null, { session }).sort({ createdAt: -1 }).lean()) as KeyRow[];
}

/**
 * Key changes of one site run in a transaction that first writes the site document: two changes
 * at once then conflict and one is retried on what the other stored, so the working-key cap and
 * the rotation plan are always decided on the real set of keys, and the audit entry commits with
 * the change.
 */
function keyTransaction<T>(db: Database, site: SiteRow, fn: (session: ClientSession) => Promise<T>): Promise<T> {
  return db.transaction(async (session) => {
    await db.models.Site.updateOne({ _id: site._id }, { $inc: { keyRevision: 1 } }, { session });
    return fn(session);
  });
}

export async function listKeys(db: Database, site: SiteRow, now: Date): Promise<SecretKeyDto[]> {
  return (await siteKeys(db, site)).map((key) => toKeyDto(key, now));
}

async function storeKey(db: Database, site: SiteRow, key: GeneratedSecretKey, session: ClientSession): Promise<NewSecretKeyDto> {
  // Stored: the hash (authenticates verify-API calls) and the signing key sealed under the master
  // key (verifies page tokens). Never stored: the key itself, which is returned once, below.
  await db.models.SecretKey.create(
    [{ siteId: site._id, ...storedSecretKey(key), expiresAt: null, revokedAt: null }],
    { session },
  );
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
  return keyTransaction(db, site, async (session) => {
    const working = (await siteKeys(db, site, session)).filter((k) => {
      const state = keyState({ kid: k.kid, expiresAt: k.expiresAt ?? null, revokedAt: k.revokedAt ?? null }, now.getTime());
      return state === 'active' || state === 'expiring';
    });
    if (working.length >= MAX_WORKING_KEYS) {
      throw badRequest(`A site can have at most ${MAX_WORKING_KEYS} working secret keys. Revoke one first.`);
    }
    const mode = site.mode === 'live' ? 'live' : 'test';
    const created = await storeKey(db, site, generateSecretKey({ mode, masterKey }), session);
    await audit(db, { actorId: actor.id, action: 'key.create', target: `${String(site._id)}/${created.kid}`, at: now }, session);
    return created;
  });
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
  // The new key and the old keys' shortened lives commit together, or not at all.
  const secretKey = await keyTransaction(db, site, async (session) => {
    const existing = await siteKeys(db, site, session);
    const { created, updates } = rotateSecretKey({
      mode: site.mode === 'live' ? 'live' : 'test',
      masterKey,
      keys: existing.map((k) => ({ kid: k.kid, expiresAt: k.expiresAt ?? null, revokedAt: k.revokedAt ?? null })),
      now: now.getTime(),
      strategy: graceMs === 0 ? { kind: 'revoke' } : { kind: 'grace', graceMs },
    });
    const stored = await storeKey(db, site, created, session);
    for (const update of updates) {
      const $set: Record<string, Date> = {};
      if (update.expiresAt) $set.expiresAt = update.expiresAt;
      if (update.revokedAt) $set.revokedAt = update.revokedAt;
      await db.models.SecretKey.updateOne({ kid: update.kid, siteId: site._id }, { $set }, { session });
    }
    await audit(
      db,
      { actorId: actor.id, action: 'key.rotate', target: `${String(site._id)}/${created.kid}`, after: { graceHours, superseded: updates.map((u) => u.kid) }, at: now },
      session,
    );
    // The key.rotated webhook commits with the rotation (an outbox event: delivered at least once).
    const data = { kid: created.kid, superseded: updates.map((u) => ({ kid: u.kid, expiresAt: u.expiresAt?.toISOString() ?? null, revokedAt: u.revokedAt?.toISOString() ?? null })), graceHours };
    await emitWebhookEvent(db, { siteId: site._id, type: 'key.rotated', data, at: now }, session);
    return stored;
  });
  return { secretKey, keys: await listKeys(db, site, now) };
}

/** Stops one key at once (a leak). The beacon notices within its key cache lifetime (seconds). */
export async function revokeSecretKey(db: Database, site: SiteRow, actor: Actor, kid: string, now: Date): Promise<SecretKeyDto[]> {
  await keyTransaction(db, site, async (session) => {
    const key = (await db.models.SecretKey.findOne({ kid, siteId: site._id }, null, { session }).lean()) as KeyRow | null;
    if (!key) throw notFound('No such key on this site.');
    const update = planRevocation({ kid: key.kid, expiresAt: key.expiresAt ?? null, revokedAt: key.revokedAt ?? null }, now.getTime());
    if (!update?.revokedAt) return;
    await db.models.SecretKey.updateOne({ _id: key._id }, { $set: { revokedAt: update.revokedAt } }, { session });
    await audit(db, { actorId: actor.id, action: 'key.revoke', target: `${String(site._id)}/${kid}`, at: now }, session);
  });
  return listKeys(db, site, now);
}
