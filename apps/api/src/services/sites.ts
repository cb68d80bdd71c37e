import type { Database, SiteDoc } from '@tagward/db';
import { generatePublishableKey } from '@tagward/keys';
import type { Types } from 'mongoose';
import type { MemberDto, NewSecretKeyDto, SiteDto, SiteSummaryDto } from '../dto.js';
import { siteRoleOf, type Actor, type SiteRole } from '../permissions.js';
import { audit } from './audit.js';
import { badRequest, conflict, isDuplicateKeyError, notFound } from './errors.js';
import { createSecretKey } from './keys.js';

export type SiteRow = SiteDoc & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };

/** One site by id: a lookup by `_id`, the one filter FerretDB 1.x answers without a scan. */
export async function loadSite(db: Database, siteId: string): Promise<SiteRow | null> {
  return (await db.models.Site.findById(siteId).lean()) as SiteRow | null;
}

export function toSiteDto(site: SiteRow, actor: Actor): SiteDto {
  return {
    id: String(site._id),
    name: site.name,
    mode: site.mode === 'live' ? 'live' : 'test',
    publicKey: site.publicKey,
    allowedOrigins: [...site.allowedOrigins],
    pageTokenRequired: Boolean(site.pageTokenRequired),
    attestationCohortPct: site.attestationCohortPct ?? 0,
    role: siteRoleOf(actor, site),
    createdAt: (site.createdAt ?? new Date(0)).toISOString(),
  };
}

export async function listSites(db: Database, actor: Actor): Promise<SiteSummaryDto[]> {
  const rows = (await db.models.Site.find({ 'members.userId': actor.id })
    .sort({ name: 1 })
    .lean()) as SiteRow[];
  return rows.map((site) => ({
    id: String(site._id),
    name: site.name,
    mode: site.mode === 'live' ? 'live' : 'test',
    publicKey: site.publicKey,
    role: siteRoleOf(actor, site),
  }));
}

export async function createSite(
  db: Database,
  masterKey: Uint8Array,
  actor: Actor,
  input: { name: string; mode: 'live' | 'test' },
  now: Date,
): Promise<{ site: SiteDto; secretKey: NewSecretKeyDto }> {
  const doc = await insertWithFreshPublicKey(db, {
    name: input.name,
    mode: input.mode,
    allowedOrigins: [],
    members: [{ userId: actor.id, role: 'owner' }],
  });
  const site = doc.toObject() as SiteRow;
  // The first secret key comes with the site: page tokens and the verify API need one, and
  // showing it right away is the one moment the owner is sure to be looking.
  const secretKey = await createSecretKey(db, masterKey, site, actor, now);
  await audit(db, { actorId: actor.id, action: 'site.create', target: String(site._id), after: { name: site.name, mode: site.mode }, at: now });
  return { site: toSiteDto(site, actor), secretKey };
}

async function insertWithFreshPublicKey(
  db: Database,
  fields: { name: string; mode: 'live' | 'test'; allowedOrigins: string[]; members: Array<{ userId: string; role: SiteRole }> },
) {
  // 24 base62 characters make a collision practically impossible; retrying keeps the unique
  // index the arbiter rather than luck.
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.models.Site.create({ ...fields, publicKey: generatePublishableKey(fields.mode) });
    } catch (error) {
      if (!isDuplicateKeyError(error) || attempt >= 2) throw error;
    }
  }
}

export async function renameSite(db: Database, site: SiteRow, actor: Actor, name: string, now: Date): Promise<SiteDto> {
  const updated = (await db.models.Site.findByIdAndUpdate(site._id, { $set: { name } }, { returnDocument: 'after' }).lean()) as SiteRow | null;
  if (!updated) throw notFound('Site not found.');
  await audit(db, { actorId: actor.id, action: 'site.rename', target: String(site._id), before: { name: site.name }, after: { name }, at: now });
  return toSiteDto(updated, actor);
}

export async function updateSiteSettings(
  db: Database,
  site: SiteRow,
  actor: Actor,
  settings: { pageTokenRequired?: boolean; attestationCohortPct?: number },
  now: Date,
): Promise<SiteDto> {
  const $set: Record<string, unknown> = {};
  if (settings.pageTokenRequired !== undefined) $set.pageTokenRequired = settings.pageTokenRequired;
  if (settings.attestationCohortPct !== undefined) $set.attestationCohortPct = settings.attestationCohortPct;
  const updated = (await db.models.Site.findByIdAndUpdate(site._id, { $set }, { returnDocument: 'after' }).lean()) as SiteRow | null;
  if (!updated) throw notFound('Site not found.');
  await audit(db, {
    actorId: actor.id,
    action: 'site.settings',
    target: String(site._id),
    before: { pageTokenRequired: site.pageTokenRequired, attestationCohortPct: site.attestationCohortPct },
    after: $set,
    at: now,
  });
  return toSiteDto(updated, actor);
}

/**
 * Deletes a site and everything recorded for it. The caller must type the site's name: the
 * server checks it too, so a stray click or a replayed request cannot delete a site.
 */
export async function deleteSite(db: Database, site: SiteRow, actor: Actor, confirmName: string, now: Date): Promise<void> {
  if (confirmName !== site.name) throw badRequest('Type the site name exactly to confirm the deletion.');
  const siteId = site._id;
  // Keys first: once they are gone no page token for this site verifies, whatever happens next.
  await db.models.SecretKey.deleteMany({ siteId });
  await db.models.Site.deleteOne({ _id: siteId });
  await Promise.all([
    db.models.Event.deleteMany({ siteId }),
    db.models.HourlyRollup.deleteMany({ siteId }),
    db.models.PathRollup.deleteMany({ siteId }),
    db.models.DailyRollup.deleteMany({ siteId }),
    db.models.DailyPathRollup.deleteMany({ siteId }),
  ]);
  await audit(db, { actorId: actor.id, action: 'site.delete', target: String(siteId), before: { name: site.name }, at: now });
}

export async function listMembers(db: Database, site: SiteRow, actor: Actor): Promise<MemberDto[]> {
  const ids = site.members.map((m) => m.userId);
  const users = await db.models.User.find({ _id: { $in: ids } }, { email: 1 }).lean();
  const emails = new Map(users.map((u) => [String(u._id), u.email]));
  return site.members
    .map((m) => ({
      userId: String(m.userId),
      email: emails.get(String(m.userId)) ?? '(deleted account)',
      role: (m.role === 'owner' ? 'owner' : 'viewer') as SiteRole,
      isYou: String(m.userId) === actor.id,
    }))
    .sort((a, b) => (a.role === b.role ? a.email.localeCompare(b.email) : a.role === 'owner' ? -1 : 1));
}

/**
 * Membership changes are compare-and-set on `updatedAt`: FerretDB 1.x mis-evaluates `$ne` on
 * a field inside an array of documents, so "push unless already a member" cannot be one
 * filter. Reading, deciding and writing only if nothing changed in between is safe on both.
 */
async function replaceMembers(
  db: Database,
  site: SiteRow,
  next: Array<{ userId: unknown; role: string }>,
): Promise<void> {
  const result = await db.models.Site.updateOne(
    { _id: site._id, updatedAt: site.updatedAt },
    { $set: { members: next } },
  );
  if (result.matchedCount === 0) throw conflict('The site changed meanwhile. Reload and try again.');
}

export async function addMember(
  db: Database,
  site: SiteRow,
  actor: Actor,
  input: { email: string; role: SiteRole },
  now: Date,
): Promise<MemberDto[]> {
  const user = await db.models.User.findOne({ email: input.email.trim().toLowerCase() }, { email: 1 }).lean();
  if (!user) throw notFound('No Tagward account uses this email. Ask them to sign up first.');
  if (site.members.some((m) => String(m.userId) === String(user._id))) {
    throw conflict('This person is already a member of the site.');
  }
  await replaceMembers(db, site, [...site.members, { userId: user._id, role: input.role }]);
  await audit(db, { actorId: actor.id, action: 'member.add', target: String(site._id), after: { userId: String(user._id), role: input.role }, at: now });
  const fresh = await loadSite(db, String(site._id));
  return fresh ? listMembers(db, fresh, actor) : [];
}

export async function removeMember(db: Database, site: SiteRow, actor: Actor, userId: string, now: Date): Promise<MemberDto[]> {
  const member = site.members.find((m) => String(m.userId) === userId);
  if (!member) throw notFound('This person is not a member of the site.');
  const next = site.members.filter((m) => String(m.userId) !== userId);
  if (!next.some((m) => m.role === 'owner')) {
    throw badRequest('A site needs at least one owner. Add another owner first, or delete the site.');
  }
  await replaceMembers(db, site, next);
  await audit(db, { actorId: actor.id, action: 'member.remove', target: String(site._id), before: { userId, role: member.role }, at: now });
  const fresh = await loadSite(db, String(site._id));
  return fresh ? listMembers(db, fresh, actor) : [];
}
