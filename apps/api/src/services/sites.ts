import { deleteSiteRollups, type Database } from '@tagward/db';
import type { SiteRow } from './site-row.js';
import { generatePublishableKey } from '@tagward/keys';
import { Types } from 'mongoose';
import type { MemberDto, NewSecretKeyDto, SiteDto, SiteSummaryDto } from '../dto.js';
import { siteRoleOf, type Actor, type SiteRole } from '../permissions.js';
import { audit } from './audit.js';
import { appError, badRequest, isDuplicateKeyError, notFound } from './errors.js';
import { createSecretKey } from './keys.js';
import { deleteSiteIntegrations, purgeSiteIntegrations } from './integrations-purge.js';

export type { SiteRow } from './site-row.js';

/** One site by id. */
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
    retentionMonths: site.retentionMonths ?? 13,
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

/**
 * A new site, owned by `actor`. The verified-email rule (docs/accounts.md): an account whose
 * email is not verified may create test sites only, and gets no secret key with them.
 */
export async function createSite(
  db: Database,
  masterKey: Uint8Array,
  actor: Actor & { emailVerified: boolean },
  input: { name: string; mode: 'live' | 'test' },
  now: Date,
): Promise<{ site: SiteDto; secretKey: NewSecretKeyDto | null }> {
  if (input.mode === 'live' && !actor.emailVerified) {
    throw appError('FORBIDDEN', 'email_unverified', 'Confirm your email address before you add a live site (test sites work already).');
  }
  const doc = await insertWithFreshPublicKey(db, {
    name: input.name,
    mode: input.mode,
    allowedOrigins: [],
    members: [{ userId: actor.id, role: 'owner' }],
  });
  const site = doc.toObject() as SiteRow;
  // The first secret key comes with the site: page tokens and the verify API need one, and
  // showing it right away is the one moment the owner is sure to be looking.
  const secretKey = actor.emailVerified ? await createSecretKey(db, masterKey, site, actor, now) : null;
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
  settings: { pageTokenRequired?: boolean; attestationCohortPct?: number; retentionMonths?: number },
  now: Date,
): Promise<SiteDto> {
  const $set: Record<string, unknown> = {};
  if (settings.pageTokenRequired !== undefined) $set.pageTokenRequired = settings.pageTokenRequired;
  if (settings.attestationCohortPct !== undefined) $set.attestationCohortPct = settings.attestationCohortPct;
  if (settings.retentionMonths !== undefined) $set.retentionMonths = settings.retentionMonths;
  const updated = (await db.models.Site.findByIdAndUpdate(site._id, { $set }, { returnDocument: 'after' }).lean()) as SiteRow | null;
  if (!updated) throw notFound('Site not found.');
  await audit(db, {
    actorId: actor.id,
    action: 'site.settings',
    target: String(site._id),
    before: { pageTokenRequired: site.pageTokenRequired, attestationCohortPct: site.attestationCohortPct, retentionMonths: site.retentionMonths },
    after: $set,
    at: now,
  });
  return toSiteDto(updated, actor);
}

/**
 * Deletes a site and everything recorded for it. The caller must type the site's name: the
 * server checks it too, so a stray click or a replayed request cannot delete a site.
 *
 * One transaction removes the site, its keys and its rules override, writes the audit entry and
 * queues the purge of its data; the events and rollups (possibly millions of documents, too many
 * for one transaction) are then deleted by `purgeSiteData`, which a restart resumes if this
 * process dies half-way. Keys go in the transaction, so once it commits no page token or verify
 * call for the site works, whatever happens next.
 */
export async function deleteSite(db: Database, site: SiteRow, actor: Actor, confirmName: string, now: Date): Promise<void> {
  if (confirmName !== site.name) throw badRequest('Type the site name exactly to confirm the deletion.');
  const siteId = site._id;
  const deleted = await db.transaction(async (session) => {
    const removed = await db.models.Site.deleteOne({ _id: siteId }, { session });
    if (removed.deletedCount === 0) return false;
    await db.models.SecretKey.deleteMany({ siteId }, { session });
    await deleteSiteIntegrations(db, siteId, session);
    await db.models.RulesVersion.deleteMany({ scope: String(siteId) }, { session });
    await db.models.SitePurge.create([{ _id: siteId, requestedAt: now }], { session });
    await audit(db, { actorId: actor.id, action: 'site.delete', target: String(siteId), before: { name: site.name }, at: now }, session);
    return true;
  });
  if (!deleted) throw notFound('Site not found.');
  await purgeSiteData(db, siteId);
}

/** Deletes a deleted site's events and rollups, then its purge marker. Idempotent. */
export async function purgeSiteData(db: Database, siteId: Types.ObjectId): Promise<void> {
  await Promise.all([db.models.Event.deleteMany({ siteId }), deleteSiteRollups(db, siteId), purgeSiteIntegrations(db, siteId)]);
  await db.models.SitePurge.deleteOne({ _id: siteId });
}

/** Finishes purges a stopped process left half-done (run at start-up). */
export async function resumeSitePurges(db: Database): Promise<number> {
  const pending = await db.models.SitePurge.find({}, { _id: 1 }).lean();
  for (const purge of pending) await purgeSiteData(db, purge._id);
  return pending.length;
}

export async function listMembers(db: Database, site: SiteRow, actor: Actor): Promise<MemberDto[]> {
  const ids = site.members.map((m) => m.userId);
  const users = await db.models.User.find({ _id: { $in: ids } }, { email: 1, emailVerifiedAt: 1 }).lean();
  const byId = new Map(users.map((u) => [String(u._id), u]));
  return site.members
    .map((m) => ({
      userId: String(m.userId),
      email: byId.get(String(m.userId))?.email ?? '(deleted account)',
      role: (m.role === 'owner' ? 'owner' : 'viewer') as SiteRole,
      isYou: String(m.userId) === actor.id,
      emailVerified: Boolean(byId.get(String(m.userId))?.emailVerifiedAt),
    }))
    .sort((a, b) => (a.role === b.role ? a.email.localeCompare(b.email) : a.role === 'owner' ? -1 : 1));
}

// Members are added only by invitation (services/invitations.ts): consent, and a proven address.

export async function removeMember(db: Database, site: SiteRow, actor: Actor, userId: string, now: Date): Promise<MemberDto[]> {
  const member = site.members.find((m) => String(m.userId) === userId);
  if (!member || !Types.ObjectId.isValid(userId)) throw notFound('This person is not a member of the site.');
  const memberId = new Types.ObjectId(userId);
  // The filter re-checks, in the same atomic update, that another owner stays: two owners
  // removing each other at once cannot leave the site without one.
  const removed = await db.models.Site.updateOne(
    { _id: site._id, 'members.userId': memberId, members: { $elemMatch: { userId: { $ne: memberId }, role: 'owner' } } },
    { $pull: { members: { userId: memberId } } },
  );
  if (removed.matchedCount === 0) {
    const fresh = await loadSite(db, String(site._id));
    if (!fresh?.members.some((m) => String(m.userId) === userId)) throw notFound('This person is not a member of the site.');
    throw badRequest('A site needs at least one owner. Invite another owner first, or delete the site.');
  }
  await audit(db, { actorId: actor.id, action: 'member.remove', target: String(site._id), before: { userId, role: member.role }, at: now });
  const fresh = await loadSite(db, String(site._id));
  return fresh ? listMembers(db, fresh, actor) : [];
}
