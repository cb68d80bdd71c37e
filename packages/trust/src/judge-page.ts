// Judges of the signal groups about the page view itself: where it claims to come from (origin,
// referrer) and the page token (timings and cadence are in judge-timing.ts). Each reads only its
// own fields of Signals (see score.ts for why that matters).
import type { WeightedReasonCode } from './codes.js';
import type { Tally } from './tally.js';
import type { Signals, TokenStatus } from './types.js';

const TOKEN_CODE: Record<TokenStatus, WeightedReasonCode> = {
  missing: 'page_token_missing',
  valid: 'page_token_valid',
  malformed: 'page_token_malformed',
  bad_signature: 'page_token_bad_signature',
  unknown_key: 'page_token_unknown_key',
  revoked_key: 'page_token_revoked_key',
  expired_key: 'page_token_expired_key',
  expired: 'page_token_expired',
  not_yet_valid: 'page_token_not_yet_valid',
  wrong_site: 'page_token_wrong_site',
  wrong_origin: 'page_token_wrong_origin',
  wrong_path: 'page_token_wrong_path',
  replayed: 'page_token_replayed',
};

const TOKEN_DETAIL: Record<TokenStatus, string> = {
  missing: 'the page carries no page token',
  valid: 'valid page token',
  malformed: 'the page token does not decode',
  bad_signature: 'the page token signature does not verify',
  unknown_key: 'the page token names an unknown key',
  revoked_key: 'the page token was signed with a revoked key',
  expired_key: 'the page token was signed with a retired key',
  expired: 'the page token has expired',
  not_yet_valid: 'the page token is not valid yet',
  wrong_site: 'the page token belongs to another site',
  wrong_origin: 'the page token was minted for another origin',
  wrong_path: 'the page token was minted for another path',
  replayed: 'the page token was already used',
};

function judgeOriginHeader(r: Tally, origin: Signals['origin']): void {
  switch (origin.status) {
    case 'not_allowed':
      r.add('origin_not_allowed', `Origin ${origin.value} is not on the site's allowlist`);
      break;
    case 'loopback_on_live':
      r.add(
        'origin_not_allowed',
        `Origin ${origin.value} is a localhost origin, accepted for test keys only`,
      );
      break;
    case 'missing':
      r.add('origin_missing', 'no Origin header on a cross-site POST');
      break;
    case 'opaque':
      r.add('origin_opaque', 'Origin is "null" (sandboxed frame, file: or data: page)');
      break;
    case 'malformed':
      r.add('origin_malformed', `Origin header "${origin.value}" is not an origin`);
      break;
    default:
      break;
  }
  if (origin.canonical === false) {
    r.add('origin_not_canonical', `Origin "${origin.value}" was not sent in the form browsers use`);
  }
}

/** `origin` group: the Origin header, then the page URL of the payload against it. */
export function judgeOrigin(s: Signals, r: Tally): void {
  const { origin, page } = s;
  judgeOriginHeader(r, origin);
  if (page.origin === null) r.add('page_url_invalid', 'the payload page URL is not an http(s) URL');
  if (page.sameAsOrigin === false)
    r.add(
      'page_origin_mismatch',
      `page URL origin ${page.origin} differs from Origin ${origin.value}`,
    );
  if (
    page.allowed === false &&
    (origin.status === 'missing' || origin.status === 'opaque' || origin.status === 'malformed')
  ) {
    r.add(
      'page_origin_not_allowed',
      `page URL origin ${page.origin} is not on the site's allowlist`,
    );
  }
}

/** `referrer` group. */
export function judgeReferrer(s: Signals, r: Tally): void {
  const { referrer } = s;
  if (referrer.kind === 'absent') r.add('referrer_absent', 'no Referer header');
  if (referrer.kind === 'malformed')
    r.add('referrer_origin_mismatch', 'the Referer header is not an http(s) URL');
  else if (referrer.matchesOrigin === false) {
    r.add(
      'referrer_origin_mismatch',
      `Referer origin ${referrer.origin} differs from the sending page's origin`,
    );
  }
  if (referrer.matchesPage === false)
    r.add('referrer_page_mismatch', 'the Referer is another page than the payload URL');
}

/** `page_token` group: the token's outcome, and the hard rule when the site requires one. */
export function judgePageToken(s: Signals, r: Tally): void {
  const { token } = s;
  r.add(TOKEN_CODE[token.status], TOKEN_DETAIL[token.status]);
  if ((token.required || r.c.pageTokenRequired) && token.status !== 'valid') {
    r.block('page_token_required', `a valid page token is required; ${TOKEN_DETAIL[token.status]}`);
  }
}
