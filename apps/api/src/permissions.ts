/**
 * Who may do what, as named predicates. Every procedure that touches a site goes through these
 * (via the site procedures), so the rules live in one place and read like the policy:
 *
 * - a site's members see it: owners manage it, viewers only read;
 * - platform admins (User.role 'admin') may read every site, for support and moderation, but do
 *   not manage sites they are not owners of;
 * - everyone else does not learn that the site exists (NOT_FOUND, not FORBIDDEN).
 */

export type SiteRole = 'owner' | 'viewer';

export interface Actor {
  id: string;
  role: 'user' | 'admin';
}

export interface SiteMembership {
  members: ReadonlyArray<{ userId: unknown; role: string }>;
}

export function siteRoleOf(actor: Actor, site: SiteMembership): SiteRole | null {
  const member = site.members.find((m) => String(m.userId) === actor.id);
  if (!member) return null;
  return member.role === 'owner' ? 'owner' : 'viewer';
}

export function isPlatformAdmin(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Read the site's settings, statistics and events. */
export function canViewSite(actor: Actor, site: SiteMembership): boolean {
  return siteRoleOf(actor, site) !== null || isPlatformAdmin(actor);
}

/** Rename, change settings and allowed origins, manage keys and members, delete. */
export function canManageSite(actor: Actor, site: SiteMembership): boolean {
  return siteRoleOf(actor, site) === 'owner';
}

export const canManageKeys = canManageSite;
export const canManageOrigins = canManageSite;
export const canManageMembers = canManageSite;
export const canDeleteSite = canManageSite;
