import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the page token signal group.
 * The page token minted by the client's backend, as the beacon's verifier judged it.
 */
export const PAGE_TOKEN_CODES = {
  page_token_valid: {
    group: 'page_token',
    kind: 'bonus',
    title: 'Valid page token',
    description:
      "A fresh, single-use token minted by the client's backend for this site, origin and path: the page was really rendered by their server. A single-page app's soft navigation earns it too, with the fresh token the app fetched for the new path and pushed before navigating.",
    forgery:
      'Fetch the real page (one fetch per event) and lift its token; timing and cadence signals then carry the weight.',
  },
  page_token_missing: {
    group: 'page_token',
    kind: 'penalty',
    title: 'No page token',
    description:
      'The page carries no token. Normal for sites that do not use page tokens; weighs 0 by default. Use "page token required" to make it decisive.',
    forgery: 'Nothing to forge.',
  },
  page_token_malformed: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token malformed',
    description:
      'The token does not decode. The SDK never produces that; someone made it up or truncated it.',
    forgery: 'Obtain a real token from the page.',
  },
  page_token_bad_signature: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token signature invalid',
    description: 'The token decodes but its signature does not verify: a forged or tampered token.',
    forgery: 'Impossible without the secret key; obtain a real token from the page instead.',
  },
  page_token_unknown_key: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token from an unknown key',
    description: 'The token names a key id this site never had (or that was deleted).',
    forgery: 'Obtain a real token from the page.',
  },
  page_token_revoked_key: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token from a revoked key',
    description:
      'The token was signed with a secret key the client revoked, usually because it leaked.',
    forgery: 'Obtain a token signed with the current key.',
  },
  page_token_expired_key: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token from a retired key',
    description:
      'The token was signed with a rotated key after its grace period; typically a page served from a stale cache.',
    forgery: 'Obtain a token signed with the current key.',
  },
  page_token_expired: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token expired',
    description:
      'The token is older than its lifetime: a cached page, a long-restored tab, or a harvested token used later.',
    forgery: 'Use tokens while they are fresh.',
  },
  page_token_not_yet_valid: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token from the future',
    description:
      "The token's issue time is ahead of the beacon's clock beyond the allowed skew: a badly wrong server clock or a crafted token.",
    forgery: 'Use real tokens.',
  },
  page_token_wrong_site: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token for another site',
    description:
      'The token was minted for another Tagward site: tokens are being moved between sites.',
    forgery: 'Obtain a token of this site.',
  },
  page_token_wrong_origin: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token for another origin',
    description: 'The token was minted for another origin than the one sending the beacon.',
    forgery: 'Obtain a token for the origin being claimed.',
  },
  page_token_wrong_path: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token for another path',
    description:
      'The token was minted for another page path than the page URL reports (single-page apps that navigate without reloading can cause this).',
    forgery: 'Obtain a token from the page being claimed.',
  },
  page_token_replayed: {
    group: 'page_token',
    kind: 'penalty',
    title: 'Page token reused',
    description: 'The token was already spent by an earlier beacon: one page view, several events.',
    forgery: 'Fetch the page again for every event.',
  },
  page_token_required: {
    group: 'page_token',
    kind: 'hard',
    title: 'Page token required',
    description:
      "The site (or the rules) require a valid page token and this event has none, or a bad one. This holds for every beacon of a page: a single-page app's soft navigations prove themselves with the fresh token the app pushes before each one (see the integration guide); a later beacon without one is treated like a page view without one.",
    forgery: 'Fetch the real page for every event.',
  },
} as const satisfies Record<string, ReasonInfo>;
