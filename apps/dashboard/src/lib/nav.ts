/**
 * The main navigation. One entry per section; `adminOnly` entries show only to platform
 * admins (the moderation section adds itself here with one line).
 */
/** Sections are routes without parameters (resolve() needs to know which one it gets). */
type SectionPath = '/sites' | '/account' | '/admin';

export interface NavLink {
  href: SectionPath;
  label: string;
  adminOnly?: boolean;
}

export const NAV_LINKS: NavLink[] = [
  { href: '/sites', label: 'Sites' },
  { href: '/account', label: 'Account' },
  { href: '/admin', label: 'Moderation', adminOnly: true },
];

export function visibleNavLinks(role: 'user' | 'admin' | null): NavLink[] {
  return NAV_LINKS.filter((link) => !link.adminOnly || role === 'admin');
}
