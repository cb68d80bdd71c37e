/**
 * Restricted API keys (issue 17): created and revoked by a site's owners, shown once, stored as a
 * hash. Creation runs in a transaction that first writes the site document (as secret-key changes
 * do), so two creations at once cannot both pass the cap.
 */
import { DAY_MS, readKeyUsage, type Database, type RestrictedKeyDoc } from '@tagward/db';
import { generateRestrictedKey, keyRejection } from '@tagward/keys';
import type { ApiScope } from '@tagward/protocol';
import type { Types } from 'mongoose';
import type { Actor } from '../permissions.js';
import { audit } from './audit.js';
import { badRequest, notFound } from './errors.js';
import type { SiteRow } from './site-row.js';

/** More working restricted keys than this on one site is a sign of keys created and forgotten. */
export const MAX_RESTRICTED_KEYS = 20;
/** Longest chosen lifetime. */
export const MAX_KEY_LIFETIME_DAYS = 366;
const USAGE_DAYS = 30;

type KeyRow = RestrictedKeyDoc & { _id: Types.ObjectId; createdAt?: Date };

export type RestrictedKeyState = 'active' | 'expired' | 'revoked';

export interface RestrictedKeyDto {
  kid: string;
  name: string;
  /** `rk_<mode>_<kid>_…<hint>`, to recognise the key; the secret part is never shown again. */
  display: string;
  scopes: ApiScope[];
  state: RestrictedKeyState;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Requests answered and refused by the rate limit over the last 30 days. */
  usage30d: { requests: number; limited: number };
}

export interface NewRestrictedKeyDto {
  /** Shown once. */
  restrictedKey: string;
  key: RestrictedKeyDto;
}

function stateOf(key: KeyRow, now: Date): RestrictedKeyState {
  const rejection = keyRejection({ expiresAt: key.expiresAt ?? null, revokedAt: key.revokedAt ?? null }, now.getTime());
  return rejection ?? 'active';
}

function toDto(key: KeyRow, site: SiteRow, now: Date, usage?: { requests: number; limited: number }): RestrictedKeyDto {
  return {
    kid: key.kid,
    name: key.name,
    display: `rk_${site.mode === 'live' ? 'live' : 'test'}_${key.kid}_…${key.hint}`,
    scopes: key.scopes as ApiScope[],
    state: stateOf(key, now),
    createdAt: (key.createdAt ?? new Date(0)).toISOString(),
    expiresAt: key.expiresAt ? key.expiresAt.toISOString() : null,
    revokedAt: key.revokedAt ? key.revokedAt.toISOString() : null,
    lastUsedAt: key.lastUsedAt ? key.lastUsedAt.toISOString() : null,
    usage30d: usage ?? { requests: 0, limited: 0 },
  };
}

export async function listRestrictedKeys(db: Database, site: SiteRow, now: Date): Promise<RestrictedKeyDto[]> {
  const rows = (await db.models.RestrictedKey.find({ siteId: site._id }).sort({ createdAt: -1 }).lean()) as KeyRow[];
  const usage = await readKeyUsage(db, rows.map((r) => r.kid), new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS - (USAGE_DAYS - 1) * DAY_MS));
  return rows.map((row) => toDto(row, site, now, usage.get(row.kid)));
}

export async function createRestrictedKey(
  db: Database,
  site: SiteRow,
  actor: Actor,
  input: { name: string; scopes: ApiScope[]; expiresInDays: number | null },
  now: Date,
): Promise<NewRestrictedKeyDto> {
  const scopes = [...new Set(input.scopes)].sort();
  if (scopes.length === 0) throw badRequest('Choose at least one scope.');
  const expiresAt = input.expiresInDays === null ? null : new Date(now.getTime() + input.expiresInDays * DAY_MS);
  const generated = generateRestrictedKey({ mode: site.mode === 'live' ? 'live' : 'test' });
  const row = await db.transaction(async (session) => {
    await db.models.Site.updateOne({ _id: site._id }, { $inc: { keyRevision: 1 } }, { session });
    const existing = (await db.models.RestrictedKey.find({ siteId: site._id }, { expiresAt: 1, revokedAt: 1 }, { session }).lean()) as KeyRow[];
    if (existing.filter((k) => stateOf(k, now) === 'active').length >= MAX_RESTRICTED_KEYS) {
      throw badRequest(`A site can have at most ${MAX_RESTRICTED_KEYS} working restricted keys. Revoke one first.`);
    }
    // Stored: the hash, never the key.
    const [created] = await db.models.RestrictedKey.create(
      [{ siteId: site._id, kid: generated.kid, secretHash: generated.secretHash, hint: generated.hint, name: input.name, scopes, expiresAt, revokedAt: null, createdBy: actor.id }],
      { session },
    );
    await audit(db, { actorId: actor.id, action: 'apikey.create', target: `${String(site._id)}/${generated.kid}`, after: { name: input.name, scopes, expiresAt }, at: now }, session);
    return created!.toObject() as KeyRow;
  });
  return { restrictedKey: generated.restrictedKey, key: toDto(row, site, now) };
}

/** Stops a key at once: the API looks keys up on every request, so the next call is refused. */
export async function revokeRestrictedKey(db: Database, site: SiteRow, actor: Actor, kid: string, now: Date): Promise<RestrictedKeyDto[]> {
  const updated = await db.models.RestrictedKey.updateOne({ kid, siteId: site._id, revokedAt: null }, { $set: { revokedAt: now } });
  if (updated.matchedCount === 0) {
    const exists = await db.models.RestrictedKey.exists({ kid, siteId: site._id });
    if (!exists) throw notFound('No such key on this site.');
  } else {
    await audit(db, { actorId: actor.id, action: 'apikey.revoke', target: `${String(site._id)}/${kid}`, at: now });
  }
  return listRestrictedKeys(db, site, now);
}
