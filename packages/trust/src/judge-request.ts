// Judges of the signal groups about the HTTP request: its shape (headers a browser would or
// would not send), the attestation token, and the hard blocklists.
import type { WeightedReasonCode } from './codes.js';
import { parseStoredPrefix, prefixInCidr } from './ip.js';
import type { Tally } from './tally.js';
import type { AttestationStatus, Signals } from './types.js';

const ATTESTATION_CODE: Record<AttestationStatus, WeightedReasonCode> = {
  absent: 'attestation_absent',
  valid: 'attestation_valid',
  invalid: 'attestation_invalid',
  double_spent: 'attestation_double_spent',
  wrong_origin: 'attestation_wrong_origin',
  expired_key: 'attestation_expired_key',
};

const BEACON_SITES = new Set(['cross-site', 'same-site', 'same-origin']);
const BEACON_MODES = new Set(['no-cors', 'cors']);

function secFetchProblem(s: Signals['shape']): string | null {
  const present =
    (s.secFetchSite !== null ? 1 : 0) +
    (s.secFetchMode !== null ? 1 : 0) +
    (s.secFetchDest !== null ? 1 : 0);
  if (present === 0 && s.secFetchUser === null) return null;
  if (present < 3) return 'only some of Sec-Fetch-Site/Mode/Dest were sent';
  if (!BEACON_SITES.has(s.secFetchSite as string)) return `Sec-Fetch-Site is "${s.secFetchSite}"`;
  if (!BEACON_MODES.has(s.secFetchMode as string)) return `Sec-Fetch-Mode is "${s.secFetchMode}"`;
  if (s.secFetchDest !== 'empty') return `Sec-Fetch-Dest is "${s.secFetchDest}"`;
  if (s.secFetchUser !== null) return 'Sec-Fetch-User is only sent on user-activated navigations';
  return null;
}

/** The headers only browsers set themselves: Sec-Fetch-* and client hints. */
function judgeBrowserSetHeaders(r: Tally, shape: Signals['shape']): void {
  const secFetchPresent =
    shape.secFetchSite !== null || shape.secFetchMode !== null || shape.secFetchDest !== null;
  if (shape.secFetchExpected && !secFetchPresent) {
    r.add(
      'sec_fetch_missing',
      `${shape.uaFamily} ${shape.uaMajor ?? ''} sends Sec-Fetch-* headers; none came`,
    );
  }
  const fetchProblem = secFetchProblem(shape);
  if (fetchProblem !== null) r.add('sec_fetch_inconsistent', fetchProblem);
  if (shape.hintsExpected && !shape.hintsPresent) {
    r.add(
      'client_hints_missing',
      `Chromium ${shape.uaMajor ?? ''} sends Sec-CH-UA client hints; none came`,
    );
  }
  if (shape.hintsMismatch.length > 0) {
    r.add(
      'client_hints_mismatch',
      `client hints disagree with the User-Agent: ${shape.hintsMismatch.join(', ')}`,
    );
  }
}

function judgeUserAgent(r: Tally, shape: Signals['shape']): void {
  switch (shape.uaFamily) {
    case 'none':
      r.add('ua_missing', 'no User-Agent header');
      break;
    case 'library':
      r.add('ua_http_library', `User-Agent of an HTTP client (${shape.uaTool})`);
      break;
    case 'automation':
      r.add('ua_automation', `User-Agent declares automation or a crawler (${shape.uaTool})`);
      break;
    case 'other':
      r.add('ua_not_browser', 'User-Agent resembles no known browser');
      break;
    default:
      break;
  }
}

/** The header block as a whole: fingerprints, casing, missing, typed or doubled headers. */
function judgeHeaderBlock(r: Tally, shape: Signals['shape']): void {
  if (shape.fingerprint !== null)
    r.add('headers_library_fingerprint', `header order and casing of ${shape.fingerprint}`);
  if (shape.casingAtypical)
    r.add('header_casing_atypical', `header casing unlike ${shape.uaFamily} over HTTP/1.1`);
  if (shape.missingBrowserHeaders.length > 0) {
    r.add(
      'browser_headers_missing',
      `a browser would have sent: ${shape.missingBrowserHeaders.join(', ')}`,
    );
  }
  if (shape.contentType === null || !r.c.contentTypes.has(shape.contentType)) {
    r.add('content_type_atypical', `Content-Type "${shape.contentType ?? ''}"`);
  }
  if (shape.duplicated.length > 0)
    r.add('header_duplicated', `sent more than once: ${shape.duplicated.join(', ')}`);
}

/** `request_shape` group. */
export function judgeRequestShape(s: Signals, r: Tally): void {
  judgeBrowserSetHeaders(r, s.shape);
  judgeUserAgent(r, s.shape);
  judgeHeaderBlock(r, s.shape);
}

/** `attestation` group. */
export function judgeAttestation(s: Signals, r: Tally): void {
  const { status } = s.attestation;
  r.add(ATTESTATION_CODE[status], `attestation ${status.replace('_', ' ')}`);
}

function blockedOrigin(s: Signals, r: Tally): string | null {
  const list = r.c.blockOrigins;
  if (list === null) return null;
  const { origin, page } = s;
  if (origin.value !== null && list.allows(origin.value)) return origin.value;
  return page.origin !== null && list.allows(page.origin) ? page.origin : null;
}

/** `blocklist` group: hard rules on the client network, the user agent and the origin. */
export function judgeBlocklists(s: Signals, r: Tally): void {
  const c = r.c;
  if (c.blockIps.length > 0 && s.ip.prefix !== null) {
    const client = parseStoredPrefix(s.ip.prefix);
    const cidr = client === null ? undefined : c.blockIps.find((x) => prefixInCidr(client, x));
    if (cidr !== undefined)
      r.block('blocked_ip', `client network ${s.ip.prefix} is in blocked range ${cidr.text}`);
  }
  if (c.blockUserAgents.length > 0 && s.shape.ua !== '') {
    const ua = s.shape.ua.toLowerCase();
    const pattern = c.blockUserAgents.find((p) => ua.includes(p));
    if (pattern !== undefined)
      r.block('blocked_user_agent', `User-Agent contains blocked text "${pattern}"`);
  }
  const hit = blockedOrigin(s, r);
  if (hit !== null) r.block('blocked_origin', `${hit} matches a blocked origin`);
}
