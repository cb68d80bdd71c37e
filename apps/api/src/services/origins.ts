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
  if (site.allowedOrigins.includes(checked.value)) return toSiteDto(site, actor);
  if (site.allowedOrigins.length >= MAX_ALLOWED_ORIGINS) {
    throw badRequest(`A site can list at most ${MAX_ALLOWED_ORIGINS} origins. Use a wildcard pattern for many subdomains.`);
  }
  // $addToSet: two owners adding the same origin at once still store it once.
  await db.models.Site.updateOne({ _id: site._id }, { $addToSet: { allowedOrigins: checked.value } });
  await audit(db, { actorId: actor.id, action: 'origin.add', target: String(site._id), after: checked.value, at: now });
  return reload(db, site, actor);
}

export async function removeAllowedOrigin(db: Database, site: SiteRow, actor: Actor, origin: string, now: Date): Promise<SiteDto> {
  if (!site.allowedOrigins.includes(origin)) throw notFound('This origin is not on the list.');
  await db.models.Site.updateOne({ _id: site._id }, { $pull: { allowedOrigins: origin } });
  await audit(db, { actorId: actor.id, action: 'origin.remove', target: String(site._id), before: origin, at: now });
  return reload(db, site, actor);
}

async function reload(db: Database, site: SiteRow, actor: Actor): Promise<SiteDto> {
  const fresh = await loadSite(db, String(site._id));
  if (!fresh) throw notFound('Site not found.');
  return toSiteDto(fresh, actor);
}
