import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the origin signal group.
 * The browser's Origin header and the page URL, checked against the site's allowlist.
 */
export const ORIGIN_CODES = {
  origin_not_allowed: {
    group: 'origin',
    kind: 'penalty',
    title: 'Origin not on the allowlist',
    description:
      "The browser's Origin header names a site that is not on this site's allowlist (or a localhost origin on a live key). A browser always tells the truth here: this is the key copied onto someone else's page.",
    forgery:
      'A non-browser client can send any Origin header, including an allowed one; this only stops copy-paste from other sites in real browsers.',
  },
  origin_missing: {
    group: 'origin',
    kind: 'penalty',
    title: 'No Origin header',
    description:
      'Every current browser sends Origin on a cross-site POST (sendBeacon and fetch alike). Its absence means a script or HTTP library.',
    forgery: 'Add an Origin header.',
  },
  origin_opaque: {
    group: 'origin',
    kind: 'penalty',
    title: 'Opaque origin ("null")',
    description:
      'Origin: null comes from sandboxed iframes, file:// pages and data: URLs, never from the client site itself.',
    forgery: 'Send a real-looking origin instead.',
  },
  origin_malformed: {
    group: 'origin',
    kind: 'penalty',
    title: 'Origin header is not an origin',
    description:
      'The Origin header has a path, userinfo, a scheme other than http(s), or does not parse. Browsers never send that.',
    forgery: 'Send a well-formed origin.',
  },
  origin_not_canonical: {
    group: 'origin',
    kind: 'penalty',
    title: 'Origin spelled unlike a browser',
    description:
      'The Origin header is a valid origin but not in the exact serialisation browsers use (upper case, default port written out, IDN not in punycode). Hand-typed headers look like this.',
    forgery: 'Copy the origin exactly as a browser sends it.',
  },
  page_url_invalid: {
    group: 'origin',
    kind: 'penalty',
    title: 'Page URL is not an http(s) URL',
    description:
      'The payload url is not an http(s) URL; the embed script always reports location.href.',
    forgery: 'Put a plausible page URL in the payload.',
  },
  page_origin_mismatch: {
    group: 'origin',
    kind: 'penalty',
    title: 'Page URL from another origin',
    description:
      'The page URL in the payload belongs to another origin than the Origin header. In a browser both come from the same document, so they cannot differ.',
    forgery: 'Make the payload URL agree with the forged Origin header.',
  },
  page_origin_not_allowed: {
    group: 'origin',
    kind: 'penalty',
    title: 'Page URL not on the allowlist',
    description:
      'With no usable Origin header, the page URL in the payload is checked against the allowlist instead, and it is not on it.',
    forgery: 'Claim an allowed page URL.',
  },
} as const satisfies Record<string, ReasonInfo>;
