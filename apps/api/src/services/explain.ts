import { REASON_CODES, type ReasonInfo } from '@tagward/trust';

/**
 * Reasons and signals in plain words for the dashboard. Reason texts come from the trust
 * engine's catalogue (one source of truth); a code the catalogue does not know (an event scored
 * by a newer engine) is shown by its code rather than hidden.
 */

export interface ReasonText {
  title: string;
  description: string;
  /** How a forger gets past this signal: the honest limit. */
  forgery: string;
  group: string;
  kind: string;
}

export function describeReason(code: string): ReasonText {
  // Own keys only: a stored code such as `constructor` must not find Object.prototype's.
  const info = Object.hasOwn(REASON_CODES, code) ? (REASON_CODES as Readonly<Record<string, ReasonInfo>>)[code] : undefined;
  if (!info) {
    return { title: code.replace(/_/g, ' '), description: 'A reason this version of the dashboard does not know yet.', forgery: '', group: 'other', kind: 'penalty' };
  }
  return { title: info.title, description: info.description, forgery: info.forgery, group: info.group, kind: info.kind };
}

export function listReasonCodes(): Array<{ code: string; title: string; group: string; kind: string }> {
  return Object.entries(REASON_CODES as Readonly<Record<string, ReasonInfo>>).map(([code, info]) => ({
    code,
    title: info.title,
    group: info.group,
    kind: info.kind,
  }));
}

export interface SignalItemDto {
  key: string;
  label: string;
  value: string;
  meaning: string;
}

export interface SignalGroupDto {
  group: string;
  title: string;
  items: SignalItemDto[];
}

interface FieldText {
  label: string;
  meaning: string;
}

const GROUP_TITLES: Record<string, string> = {
  origin: 'Origin header',
  page: 'Page URL',
  referrer: 'Referer header',
  token: 'Page token',
  attestation: 'Attestation',
  timing: 'Page timings',
  cadence: 'Visitor cadence',
  shape: 'Request shape',
  ip: 'Network',
};

const FIELDS: Record<string, FieldText> = {
  'origin.value': { label: 'Origin', meaning: 'The Origin header the browser sent: which site the page that sent the beacon is on.' },
  'origin.status': { label: 'Allowlist check', meaning: "Whether that origin is on the site's list of allowed origins." },
  'origin.canonical': { label: 'Spelled like a browser', meaning: 'Browsers write origins in one exact form; hand-made headers often differ.' },
  'page.origin': { label: 'Page origin', meaning: 'The origin of the page URL the script reported.' },
  'page.allowed': { label: 'Page origin allowed', meaning: 'Whether the page URL is on the allowlist too.' },
  'page.sameAsOrigin': { label: 'Page matches Origin', meaning: 'A real beacon comes from the page it reports, so both origins agree.' },
  'page.seq': { label: 'Beacon number on the page', meaning: 'Single-page apps send one beacon per view; this counts them.' },
  'referrer.kind': { label: 'Referer sent', meaning: 'Browsers send the page (or its origin) as Referer with a beacon, unless a policy hides it.' },
  'referrer.origin': { label: 'Referer origin', meaning: 'The origin part of the Referer header (the full URL is not kept).' },
  'referrer.matchesOrigin': { label: 'Referer matches Origin', meaning: 'Origin and Referer come from the same page in a real browser.' },
  'referrer.matchesPage': { label: 'Referer is the page', meaning: 'A full Referer should be the page URL the script reported.' },
  'token.status': { label: 'Page token', meaning: "The result of checking the short-lived token your server put in the page (layer 2): valid, missing, or why it failed." },
  'token.ageMs': { label: 'Token age', meaning: 'Time between your server minting the token and the beacon arriving.' },
  'token.ttlMs': { label: 'Token lifetime', meaning: 'How long the token was valid for.' },
  'token.required': { label: 'Token required', meaning: 'Whether this site refuses to trust beacons without a page token.' },
  'attestation.status': { label: 'Attestation', meaning: 'Whether this page view carried a valid Privacy Pass token (the attestation experiment).' },
  'timing.nav': {
    label: 'Load time',
    meaning:
      'Milliseconds from navigation to the end of the load event, as the browser measured it. 0 means the page had not finished loading when the beacon left: the visitor left first (a bounce), which browsers report this way.',
  },
  'timing.start': { label: 'Checks started', meaning: 'Milliseconds from navigation until the script started its checks (after load, at idle).' },
  'timing.checks': { label: 'Checks took', meaning: 'Milliseconds the DOM checks took.' },
  'timing.send': { label: 'Sent at', meaning: 'Milliseconds from navigation until the beacon was sent.' },
  'timing.ttfb': { label: 'Time to first byte', meaning: 'Milliseconds until the first byte of the page arrived.' },
  'timing.identicalRepeats': { label: 'Identical timings before', meaning: 'Earlier beacons from this visitor with exactly the same timings: real page loads never repeat to the millisecond.' },
  'cadence.lastMinute': { label: 'Beacons in the last minute', meaning: 'How many beacons this (anonymised) visitor sent in the minute before this one.' },
  'cadence.intervals': { label: 'Intervals measured', meaning: 'How many gaps between beacons the figures below use.' },
  'cadence.meanMs': { label: 'Mean gap', meaning: 'Average time between this visitor’s beacons.' },
  'cadence.cv': { label: 'Regularity', meaning: 'Variation of the gaps (0 = perfectly regular, which people never are).' },
  'cadence.lastTenSeconds': { label: 'Beacons in the last 10 s', meaning: 'How many beacons this visitor sent in the ten seconds before this one.' },
  'cadence.lastSecond': { label: 'Beacons in the last second', meaning: 'How many beacons this visitor sent in the second before this one.' },
  'cadence.address': {
    label: 'Beacons from this address',
    meaning: 'Beacons to this site from the same IP address, whatever browser they claimed, before this one: a flood that changes its user agent each time shows here.',
  },
  'cadence.network': {
    label: 'Other addresses of this network',
    meaning: 'Other IP addresses of the same network (/24 or /48) seen on this site before this one: a flood spread over the addresses of one network shows here.',
  },
  'cadence.later': {
    label: 'Figures of a later beacon',
    meaning: 'This event was re-scored in hindsight: a later beacon from the same visitor, address or network showed a burst or a timer this one was part of, and the cadence figures above are that beacon’s.',
  },
  'shape.ua': { label: 'User agent', meaning: 'The browser the request claims to come from.' },
  'shape.uaFamily': { label: 'Browser family', meaning: 'What the user agent claims: a browser engine, an HTTP library or an automation tool.' },
  'shape.uaMajor': { label: 'Browser version', meaning: 'Major version of the claimed browser.' },
  'shape.uaTool': { label: 'Tool named', meaning: 'The library or automation tool the user agent names, if any.' },
  'shape.secFetchExpected': { label: 'Sec-Fetch expected', meaning: 'Whether the claimed browser always sends Sec-Fetch-* headers.' },
  'shape.secFetchSite': { label: 'Sec-Fetch-Site', meaning: 'Set by the browser itself: how the page relates to the beacon host.' },
  'shape.secFetchMode': { label: 'Sec-Fetch-Mode', meaning: 'Set by the browser: the kind of request (a beacon is no-cors).' },
  'shape.secFetchDest': { label: 'Sec-Fetch-Dest', meaning: 'Set by the browser: what the request is for (a beacon is empty).' },
  'shape.secFetchUser': { label: 'Sec-Fetch-User', meaning: 'Set only for requests a user triggered by navigation.' },
  'shape.hintsExpected': { label: 'Client hints expected', meaning: 'Chromium browsers send Sec-CH-UA hints to HTTPS hosts.' },
  'shape.hintsPresent': { label: 'Client hints present', meaning: 'Whether those hints came.' },
  'shape.hintsMismatch': { label: 'Hints contradicting the user agent', meaning: 'Client hints that disagree with the user agent string.' },
  'shape.fingerprint': { label: 'Library fingerprint', meaning: 'An HTTP library recognised by the order and set of its headers.' },
  'shape.casingAtypical': { label: 'Unusual header casing', meaning: 'Header names written unlike the claimed browser writes them.' },
  'shape.missingBrowserHeaders': { label: 'Missing browser headers', meaning: 'Headers every browser sends that were absent.' },
  'shape.contentType': { label: 'Content-Type', meaning: 'sendBeacon with a string body sends text/plain.' },
  'shape.duplicated': { label: 'Duplicated headers', meaning: 'Single-valued headers that arrived twice.' },
  'shape.headerOrder': { label: 'Header order', meaning: 'Header names in the order they arrived, kept for forensics.' },
  'ip.family': { label: 'IP version', meaning: 'IPv4 or IPv6.' },
  'ip.prefix': { label: 'Network', meaning: 'The /24 (IPv4) or /48 (IPv6) network of the visitor; the full address is never stored.' },
  mode: { label: 'Key mode', meaning: 'Whether the beacon used a live or a test publishable key.' },
  v: { label: 'Signals format', meaning: 'Version of the stored signals format.' },
};

/** Beacons in the last second, ten seconds and minute, in a line. */
function formatWindows(value: unknown): string | null {
  const w = value as { lastSecond?: unknown; lastTenSeconds?: unknown; lastMinute?: unknown } | null;
  if (!w || typeof w.lastSecond !== 'number' || typeof w.lastTenSeconds !== 'number' || typeof w.lastMinute !== 'number') return null;
  return `${w.lastSecond} in 1 s · ${w.lastTenSeconds} in 10 s · ${w.lastMinute} in 1 min`;
}

function laterBeacon(value: unknown): string | null {
  const later = value as { eventId?: unknown } | null;
  return later && typeof later.eventId === 'string' ? `beacon ${later.eventId}` : null;
}

function formatTiming(value: number, key: string): string | null {
  if (value === -1) return 'not measured';
  if (key === 'timing.nav' && value === 0) return 'not finished (the visitor left before the load event)';
  return null;
}

function formatValue(value: unknown, key: string): string {
  if (value === null || value === undefined) return '—';
  if (key === 'cadence.address' || key === 'cadence.network') return formatWindows(value) ?? JSON.stringify(value);
  if (key === 'cadence.later') return laterBeacon(value) ?? JSON.stringify(value);
  if (typeof value === 'number' && key.startsWith('timing.')) {
    const special = formatTiming(value, key);
    if (special !== null) return special;
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (key.endsWith('Ms') || key.startsWith('timing.')) return `${Math.round(value * 10) / 10} ms`;
    if (key === 'cadence.cv') return value.toFixed(2);
    return String(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((v) => String(v)).join(', ');
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  return JSON.stringify(value);
}

/**
 * Flattens a stored Signals object into labelled groups. Fields we have words for come first in
 * a fixed order; any other field (a newer signals version) is still shown, with its raw name.
 */
export function explainSignals(signals: unknown): SignalGroupDto[] {
  if (typeof signals !== 'object' || signals === null) return [];
  const groups = new Map<string, SignalItemDto[]>();
  const add = (group: string, key: string, value: unknown) => {
    const text = FIELDS[key];
    const items = groups.get(group) ?? [];
    items.push({ key, label: text?.label ?? key, value: formatValue(value, key), meaning: text?.meaning ?? '' });
    groups.set(group, items);
  };
  for (const [top, value] of Object.entries(signals as Record<string, unknown>)) {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      for (const [field, inner] of Object.entries(value as Record<string, unknown>)) add(top, `${top}.${field}`, inner);
    } else {
      add('general', top, value);
    }
  }
  const order = Object.keys(FIELDS);
  const rank = (key: string) => {
    const i = order.indexOf(key);
    return i === -1 ? order.length : i;
  };
  const groupOrder = [...Object.keys(GROUP_TITLES), 'general'];
  const groupRank = (group: string) => {
    const i = groupOrder.indexOf(group);
    return i === -1 ? groupOrder.length : i;
  };
  return [...groups]
    .sort(([a], [b]) => groupRank(a) - groupRank(b))
    .map(([group, items]) => ({
      group,
      title: GROUP_TITLES[group] ?? (group === 'general' ? 'General' : group),
      items: items.sort((a, b) => rank(a.key) - rank(b.key)),
    }));
}
