import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the blocklist signal group.
 * The hard rules of the blocklists: address ranges, user agents, origins.
 */
export const BLOCKLIST_CODES = {
  blocked_ip: {
    group: 'blocklist',
    kind: 'hard',
    title: 'Blocked IP range',
    description:
      "The client address falls in a blocked range. Events keep only the address's /24 (IPv4) or /48 (IPv6), so ranges cannot be narrower than that.",
    forgery: 'Use other addresses.',
  },
  blocked_user_agent: {
    group: 'blocklist',
    kind: 'hard',
    title: 'Blocked user agent',
    description: 'The User-Agent contains a blocked substring (case-insensitive).',
    forgery: 'Change the user agent.',
  },
  blocked_origin: {
    group: 'blocklist',
    kind: 'hard',
    title: 'Blocked origin',
    description: 'The Origin header or the page URL matches a blocked origin pattern.',
    forgery: 'Claim another origin (which the allowlist then has to accept).',
  },
} as const satisfies Record<string, ReasonInfo>;
