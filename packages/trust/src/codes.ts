/**
 * The stable reason codes. They are stored in events, counted as keys of rollup documents and
 * shown in the dashboard, so: snake_case, never renamed, never reused for another meaning. Add
 * new ones at the end of their group.
 */

/** Which signal a code belongs to (the dashboard groups reasons by it). */
export type SignalGroup =
  | 'origin'
  | 'referrer'
  | 'page_token'
  | 'timing'
  | 'cadence'
  | 'request_shape'
  | 'attestation'
  | 'blocklist';

/**
 * - `bonus`: evidence for a real page view; its weight is in [0, 1].
 * - `penalty`: evidence against; its weight is in [-1, 0]. A weight of 0 switches it off.
 * - `hard`: a hard rule (blocklist, "page token required"): the score becomes 0, verdict `fraud`.
 */
export type ReasonKind = 'bonus' | 'penalty' | 'hard';

export interface ReasonInfo {
  group: SignalGroup;
  kind: ReasonKind;
  /** Short label for tables and chips. */
  title: string;
  /** What it catches, in plain words. */
  description: string;
  /** How a forger gets past it: the honest limit of the signal. */
  forgery: string;
}

const CATALOGUE = {
  // --- origin -------------------------------------------------------------------------------
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
  // --- referrer -----------------------------------------------------------------------------
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
  // --- page token ---------------------------------------------------------------------------
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
  // --- timing -------------------------------------------------------------------------------
  token_too_young: {
    group: 'timing',
    kind: 'penalty',
    title: 'Token used too fast',
    description:
      'The beacon arrived sooner after the token was minted than a browser needs to receive the page, load it and reach an idle callback, and sooner than the page itself says passed between its first byte and the send (a token is minted before the first byte). Scripts that scrape the token and post at once with timings copied from a real page do this; a real page that loads in a few milliseconds next to its server does not, because its own timings are that short too. Its weight outweighs the valid token it comes with: a fresh token used too fast is not trusted on its own. Clock skew between the client server and Tagward shifts this figure (25 ms are allowed for it).',
    forgery: 'Wait a realistic time before posting, or report page timings as short as the token is young (a page that loaded next to its server).',
  },
  token_older_than_lifetime: {
    group: 'timing',
    kind: 'penalty',
    title: 'Token older than its lifetime',
    description:
      'Token age at arrival exceeds its lifetime as Tagward measures it (adds to page_token_expired when the verifier also refused it).',
    forgery: 'Use tokens while they are fresh.',
  },
  timing_zero: {
    group: 'timing',
    kind: 'penalty',
    title: 'Zero page timings',
    description:
      "Check-start or send time is exactly 0 ms. Both are read from the page's clock when the embed script runs, which is never the instant the navigation started. A load time of 0 is not counted here: Navigation Timing defines loadEventEnd as 0 while the load event has not finished, which is what a visitor who leaves before load (a bounce) sends.",
    forgery: 'Report plausible timings.',
  },
  timing_non_monotonic: {
    group: 'timing',
    kind: 'penalty',
    title: 'Timings out of order',
    description:
      'The reported timings contradict each other (first byte after load end, checks starting before load, sending before the checks ended).',
    forgery: 'Report timings in a consistent order.',
  },
  timing_repeated: {
    group: 'timing',
    kind: 'penalty',
    title: 'Identical timings repeated',
    description:
      'The same visitor sent the exact same timing figures before. Real page loads never repeat to the millisecond; replayed payloads do.',
    forgery: 'Randomise the timings per event.',
  },
  timing_out_of_range: {
    group: 'timing',
    kind: 'penalty',
    title: 'Timings out of range',
    description:
      "A timing no browser reports: check-start, check duration or send time of -1 (the page's own clock always measures them; only load time and first byte may be unknown), a load time or first byte later than the rules' maximum load time (minutes, not a day), or checks that ran longer than the rules' maximum.",
    forgery: 'Report timings in the ranges real pages have.',
  },
  timing_send_gap: {
    group: 'timing',
    kind: 'penalty',
    title: 'Sent long after the checks',
    description:
      'The send time is later than the end of the checks by more than the rules allow. The embed script reads the send time in the same task that ends the checks (a retry keeps the first send time), so the two are within a millisecond or so; independently made-up timings are not.',
    forgery: 'Make the send time agree with the check timings.',
  },
  timing_unrounded: {
    group: 'timing',
    kind: 'penalty',
    title: 'Timings finer than the embed reports',
    description:
      'A timing has more than one decimal. The embed script rounds every timing to 0.1 ms, so finer values were computed by something else.',
    forgery: 'Round the timings to 0.1 ms.',
  },
  // --- cadence ------------------------------------------------------------------------------
  cadence_burst: {
    group: 'cadence',
    kind: 'penalty',
    title: 'Burst from one visitor',
    description:
      'Too many beacons from one visitor hash (address and user agent) for a person reading pages: in the last second, the last ten seconds or the last minute. Counted before the rate limits refuse anything, so a refused flood still counts. Visitors behind one NAT with the same browser share a hash, so the per-minute threshold is generous.',
    forgery: 'Spread events over many IP addresses and user agents.',
  },
  cadence_regular: {
    group: 'cadence',
    kind: 'penalty',
    title: 'Machine-regular intervals',
    description:
      "The gaps between this visitor's beacons are nearly constant (low coefficient of variation): a timer, not a person.",
    forgery: 'Add random jitter to the intervals.',
  },
  cadence_address_burst: {
    group: 'cadence',
    kind: 'penalty',
    title: 'Burst from one address',
    description:
      "Too many beacons from one client address to this site, whatever their user agents, in the last second, ten seconds or minute: a flood that rotates user agents to dodge the per-visitor count. A large NAT (an office, a campus, carrier-grade NAT) sends many real visitors from one address, so these thresholds sit well above a busy NAT's rate to one site.",
    forgery: 'Spread events over many addresses and networks.',
  },
  // --- request shape ------------------------------------------------------------------------
  sec_fetch_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'No Sec-Fetch headers',
    description:
      'The user agent claims a browser that always sends Sec-Fetch-Site/Mode/Dest (Chromium 80+, Firefox 90+, Safari 17+), and none came.',
    forgery: 'Add the three headers with browser values.',
  },
  sec_fetch_inconsistent: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Sec-Fetch headers not those of a beacon',
    description:
      'Sec-Fetch-* values that sendBeacon or fetch(keepalive) never produce: a navigation (mode navigate, dest document, Sec-Fetch-User), site none, or only some of the three headers.',
    forgery: 'Send site cross-site, mode no-cors or cors, dest empty.',
  },
  client_hints_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'No client hints from a Chromium browser',
    description:
      'The user agent claims Chromium 90+, which sends Sec-CH-UA, Sec-CH-UA-Mobile and Sec-CH-UA-Platform on every request to an HTTPS beacon; they are missing.',
    forgery: 'Add client-hint headers matching the user agent.',
  },
  client_hints_mismatch: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Client hints contradict the user agent',
    description:
      'Sec-CH-UA brand version, platform or mobile flag disagree with the User-Agent string, or hints come from a non-Chromium user agent.',
    forgery: 'Keep the user agent and the hints consistent.',
  },
  ua_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'No User-Agent',
    description: 'Browsers always send a User-Agent.',
    forgery: 'Send a browser user agent.',
  },
  ua_http_library: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'HTTP library user agent',
    description:
      'The User-Agent is that of an HTTP library or command-line tool (curl, python-requests, Go, Node, Java…), not a browser.',
    forgery: 'Send a browser user agent.',
  },
  ua_automation: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Automation or crawler user agent',
    description:
      'The User-Agent declares a headless browser, an automation framework or a crawler. Honest bots, and end-to-end tests, look like this.',
    forgery: 'Override the user agent of the headless browser.',
  },
  ua_not_browser: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Unrecognised user agent',
    description: 'The User-Agent resembles no browser and no known library.',
    forgery: 'Send a common browser user agent.',
  },
  headers_library_fingerprint: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Header order of an HTTP library',
    description:
      'The raw header order and casing match what curl, python-requests, Node fetch (undici) or Go net/http send, whatever the User-Agent says. Assumes the beacon sees the client header block as sent (see the deployment note).',
    forgery: 'Reproduce a browser header block byte for byte, or drive a real browser.',
  },
  header_casing_atypical: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Header casing unlike the claimed browser',
    description:
      'Over HTTP/1.1 browsers write Sec-Fetch-* in title case and Chromium writes sec-ch-ua* in lower case; hand-built requests often get this wrong.',
    forgery: 'Copy the exact casing.',
  },
  browser_headers_missing: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Browser headers missing',
    description:
      'The user agent claims a browser but Accept, Accept-Encoding or Accept-Language is missing; browsers always send them.',
    forgery: 'Add the headers.',
  },
  content_type_atypical: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Unusual Content-Type',
    description:
      'Browsers send exactly "text/plain;charset=UTF-8" for a string body; anything else was typed by hand.',
    forgery: 'Copy the exact value.',
  },
  header_duplicated: {
    group: 'request_shape',
    kind: 'penalty',
    title: 'Duplicated header',
    description:
      'A header a browser sends once (Origin, User-Agent, Content-Type, Sec-Fetch-*…) appears twice.',
    forgery: 'Send each header once.',
  },
  // --- attestation --------------------------------------------------------------------------
  attestation_valid: {
    group: 'attestation',
    kind: 'bonus',
    title: 'Valid attestation',
    description:
      'A Privacy Pass token issued after a challenge was redeemed with this event: someone paid the work for it.',
    forgery: 'Solve the challenge for every token: possible, but it costs work per event.',
  },
  attestation_absent: {
    group: 'attestation',
    kind: 'penalty',
    title: 'No attestation',
    description: 'No attestation token. Normal outside the experiment cohort; weighs 0 by default.',
    forgery: 'Nothing to forge.',
  },
  attestation_invalid: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation invalid',
    description: 'The attestation token does not verify.',
    forgery: 'Obtain a real token by solving the challenge.',
  },
  attestation_double_spent: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation reused',
    description: 'The attestation token was already redeemed.',
    forgery: 'Obtain a new token per event.',
  },
  attestation_wrong_origin: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation for another origin',
    description: 'The attestation token was issued for another origin.',
    forgery: 'Obtain a token for the claimed origin.',
  },
  attestation_expired_key: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation from a retired issuer key',
    description: 'The token was issued under an issuer key that has since been rotated out.',
    forgery: 'Obtain a fresh token.',
  },
  // --- blocklists ---------------------------------------------------------------------------
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

export type ReasonCode = keyof typeof CATALOGUE;

/** Every reason code with its plain-words explanation, as the dashboard shows it. */
export const REASON_CODES: Readonly<Record<ReasonCode, ReasonInfo>> = CATALOGUE;

/** All codes, in catalogue order (grouped by signal). */
export const ALL_REASON_CODES = Object.keys(CATALOGUE) as ReasonCode[];

type CodesOfKind<K extends ReasonKind> = {
  [C in ReasonCode]: (typeof CATALOGUE)[C]['kind'] extends K ? C : never;
}[ReasonCode];

/** Codes scored by a weight (bonus or penalty). */
export type WeightedReasonCode = CodesOfKind<'bonus' | 'penalty'>;
/** Codes of hard rules. */
export type HardReasonCode = CodesOfKind<'hard'>;

export const WEIGHTED_REASON_CODES = ALL_REASON_CODES.filter(
  (c): c is WeightedReasonCode => CATALOGUE[c].kind !== 'hard',
);
export const HARD_REASON_CODES = ALL_REASON_CODES.filter(
  (c): c is HardReasonCode => CATALOGUE[c].kind === 'hard',
);
export const BONUS_REASON_CODES = ALL_REASON_CODES.filter(
  (c) => CATALOGUE[c].kind === 'bonus',
) as WeightedReasonCode[];
