import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the referrer signal group.
 * The Referer header, checked against the Origin header and the page URL.
 */
export const REFERRER_CODES = {
  referrer_absent: {
    group: 'referrer',
    kind: 'penalty',
    title: 'No Referer header',
    description:
      'The request has no Referer. Browsers send at least the page origin by default, but a strict Referrer-Policy on the client page or a privacy setting removes it, so this weighs little.',
    forgery: 'Add a Referer header.',
  },
  referrer_origin_mismatch: {
    group: 'referrer',
    kind: 'penalty',
    title: 'Referer from another origin',
    description:
      "The Referer header names another origin than the Origin header (or, without one, the page URL), or is not a URL. A browser's Referer for a beacon is the sending page itself. An origin-only Referer (the default policy cross-site) is normal and not punished.",
    forgery: 'Send a Referer that agrees with the forged Origin.',
  },
  referrer_page_mismatch: {
    group: 'referrer',
    kind: 'penalty',
    title: 'Referer is another page',
    description:
      'The Referer is a full URL (the client page relaxed its referrer policy) and it is not the page URL in the payload.',
    forgery: 'Send the payload URL as Referer.',
  },
} as const satisfies Record<string, ReasonInfo>;
