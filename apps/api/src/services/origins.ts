import type { Database } from '@tagward/db';
import { normalizeOriginPattern, type OriginMode } from '@tagward/protocol';
import type { OriginCheckDto, SiteDto } from '../dto.js';
import type { Actor } from '../permissions.js';
import { audit } from './audit.js';
import { badRequest, notFound } from './errors.js';
import { loadSite, toSiteDto, type SiteRow } from './sites.js';

export const MAX_ALLOWED_ORIGINS = 50;

/** The same validation the beacon's matcher relies on, for the editor's inline feedback. */
export function checkOriginPattern(input: string, mode: OriginMode): OriginCheckDto {
  const result = normalizeOriginPattern(input, { mode });
  return result.ok ? { ok: true, value: result.value } : { ok: false, code: result.code, message: result.message };
}

export async function addAllowedOrigin(db: Database, site: SiteRow, actor: Actor, input: string, now: Date): Promise<SiteDto> {
  const mode: OriginMode = site.mode === 'live' ? 'live' : 'test';
  const checked = normalizeOriginPattern(input, { mode });
  if (!checked.ok) throw badRequest(checked.message);
  // One conditional update: the origin is new and the list has room, checked by the database
  // (`allowedOrigins.<max-1>` missing means fewer than max entries), so owners adding origins at
  // the same moment can neither store one twice nor go past the cap.
  const added = await db.models.Site.updateOne(
    { _id: site._id, allowedOrigins: { $ne: checked.value }, [`allowedOrigins.${MAX_ALLOWED_ORIGINS - 1}`]: { $exists: false } },
    { $push: { allowedOrigins: checked.value } },
  );
  if (added.matchedCount === 0) {
    const fresh = await reload(db, site, actor);
    if (fresh.allowedOrigins.includes(checked.value)) return fresh;
    throw badRequest(`A site can list at most ${MAX_ALLOWED_ORIGINS} origins. Use a wildcard pattern for many subdomains.`);
  }
  await audit(db, { actorId: actor.id, action: 'origin.add', target: String(site._id), after: checked.value, at: now });
  return reload(db, site, actor);
}

export async function removeAllowedOrigin(db: Database, site: SiteRow, actor: Actor, origin: string, now: Date): Promise<SiteDto> {
  const removed = await db.models.Site.updateOne({ _id: site._id, allowedOrigins: origin }, { $pull: { allowedOrigins: origin } });
  if (removed.matchedCount === 0) throw notFound('This origin is not on the list.');
  await audit(db, { actorId: actor.id, action: 'origin.remove', target: String(site._id), before: origin, at: now });
  return reload(db, site, actor);
}

async function reload(db: Database, site: SiteRow, actor: Actor): Promise<SiteDto> {
  const fresh = await loadSite(db, String(site._id));
  if (!fresh) throw notFound('Site not found.');
  return toSiteDto(fresh, actor);
}
