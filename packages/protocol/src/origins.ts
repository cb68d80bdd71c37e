/**
 * Origin allowlist patterns: what a client may type in the dashboard, how it is normalised, and
 * how the beacon matches an `Origin` header against it.
 *
 * A pattern is a scheme, a host and an optional port, nothing else:
 * - `https://shop.example.com`, `https://shop.example.com:8443`, `http://localhost:3000`
 * - `https://*.example.com`: the wildcard stands for ONE OR MORE leftmost labels
 *   (`a.example.com`, `a.b.example.com`) and never for the apex: list `https://example.com`
 *   separately if the apex also embeds the snippet. Matching the apex implicitly would make a
 *   wildcard quietly broader than it reads.
 *
 * Decisions, so that the dashboard and the beacon agree:
 * - scheme and host are lowercased, IDN hosts become punycode, default ports (80/443) vanish,
 *   a single trailing `/` is tolerated and dropped (people paste `https://site.com/`);
 * - a trailing dot (`https://example.com.`) is refused: browsers treat `example.com.` as another
 *   origin, so the beacon never sees it for `example.com`, and accepting it would mislead;
 * - loopback hosts (`localhost`, `*.localhost`, `127.0.0.0/8`, `[::1]`) are accepted for test
 *   keys only: a live key allowing localhost would let anyone run a "real" page on their machine;
 * - a wildcard must sit on a name with at least two labels (`*.com` is refused). Without a public
 *   suffix list `*.co.uk` still passes: the dashboard should warn, the beacon cannot tell.
 *
 * Parsing one origin is in origin-parse.ts; this module validates what clients type and matches
 * origins against the patterns. Pure: no I/O, no dependency beyond the WHATWG `URL`.
 */
import {
  MAX_ORIGIN_LENGTH,
  isLoopbackHost,
  normalizeOrigin,
  parseAuthority,
  parseOrigin,
  serializeOrigin,
} from './origin-parse.js';

export type OriginMode = 'live' | 'test';

export type OriginPatternErrorCode =
  | 'empty'
  | 'too_long'
  | 'missing_scheme'
  | 'unsupported_scheme'
  | 'has_path'
  | 'has_query'
  | 'has_fragment'
  | 'has_userinfo'
  | 'bad_wildcard'
  | 'wildcard_too_broad'
  | 'invalid_host'
  | 'invalid_port'
  | 'trailing_dot'
  | 'localhost_live';

export type OriginPatternResult =
  { ok: true; value: string } | { ok: false; code: OriginPatternErrorCode; message: string };

function fail(code: OriginPatternErrorCode, message: string): OriginPatternResult {
  return { ok: false, code, message };
}

/**
 * Validates and normalises an allowlist pattern typed by a client.
 *
 * @example
 * normalizeOriginPattern('https://*.Example.com/'); // { ok: true, value: 'https://*.example.com' }
 * normalizeOriginPattern('http://localhost:3000', { mode: 'test' }); // { ok: true, value: 'http://localhost:3000' }
 * normalizeOriginPattern('http://localhost:3000', { mode: 'live' }); // { ok: false, code: 'localhost_live', ... }
 * normalizeOriginPattern('https://example.com/shop'); // { ok: false, code: 'has_path', ... }
 */
export function normalizeOriginPattern(
  input: string,
  options: { mode: OriginMode } = { mode: 'live' },
): OriginPatternResult {
  const text = input.trim();
  if (text === '') return fail('empty', 'Enter an origin such as https://shop.example.com.');
  if (text.length > MAX_ORIGIN_LENGTH)
    return fail('too_long', 'An origin is at most 300 characters.');
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/s.exec(text);
  if (schemeMatch === null) {
    return fail('missing_scheme', 'Start with the scheme, e.g. https://shop.example.com.');
  }
  const scheme = (schemeMatch[1] as string).toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    return fail(
      'unsupported_scheme',
      `Only http and https origins can embed the snippet, not ${scheme}:.`,
    );
  }
  let rest = schemeMatch[2] as string;
  const hashAt = rest.indexOf('#');
  const queryAt = rest.indexOf('?');
  const slashAt = rest.indexOf('/');
  if (
    slashAt !== -1 &&
    (queryAt === -1 || slashAt < queryAt) &&
    (hashAt === -1 || slashAt < hashAt)
  ) {
    // A lone trailing slash is what people paste from the address bar; anything after it is a path.
    if (slashAt !== rest.length - 1) {
      return fail('has_path', 'An origin has no path: keep only scheme, host and port.');
    }
    rest = rest.slice(0, -1);
  }
  if (queryAt !== -1 && (hashAt === -1 || queryAt < hashAt)) {
    return fail('has_query', 'An origin has no query string: keep only scheme, host and port.');
  }
  if (hashAt !== -1)
    return fail('has_fragment', 'An origin has no fragment: keep only scheme, host and port.');
  if (rest.includes('@')) return fail('has_userinfo', 'An origin has no user name or password.');

  let wildcard = false;
  if (rest.startsWith('*.')) {
    wildcard = true;
    rest = rest.slice(2);
  }
  if (rest.includes('*')) {
    return fail(
      'bad_wildcard',
      'A wildcard is only allowed as the whole leftmost label: https://*.example.com.',
    );
  }
  const portMatch = /:([^:\]]*)$/.exec(rest);
  if (portMatch !== null && !/^\d{1,5}$/.test(portMatch[1] as string)) {
    return fail('invalid_port', 'The port must be a number between 1 and 65535.');
  }
  if (portMatch !== null && (Number(portMatch[1]) < 1 || Number(portMatch[1]) > 65535)) {
    return fail('invalid_port', 'The port must be a number between 1 and 65535.');
  }
  const hostPart = portMatch === null ? rest : rest.slice(0, portMatch.index);
  if (hostPart.endsWith('.')) {
    return fail('trailing_dot', 'Remove the trailing dot: browsers send the origin without it.');
  }
  if (hostPart === '' || hostPart.split('.').some((label) => label === '')) {
    return fail('invalid_host', 'The host name is missing or has an empty label.');
  }
  const parsed = parseAuthority(scheme, rest);
  if (parsed === null) return fail('invalid_host', `"${hostPart}" is not a valid host name.`);
  const isIp =
    parsed.host.startsWith('[') || /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(parsed.host);
  if (wildcard) {
    if (isIp) return fail('bad_wildcard', 'A wildcard cannot be combined with an IP address.');
    if (!parsed.host.includes('.') && parsed.host !== 'localhost') {
      return fail(
        'wildcard_too_broad',
        'A wildcard must cover a domain, e.g. https://*.example.com, not a whole top-level domain.',
      );
    }
  }
  const loopback = isLoopbackHost(parsed.host);
  if (loopback && options.mode === 'live') {
    return fail('localhost_live', 'Localhost origins are only accepted for test keys (pk_test_…).');
  }
  const value = `${parsed.scheme}://${wildcard ? '*.' : ''}${parsed.host}${parsed.port === '' ? '' : `:${parsed.port}`}`;
  return { ok: true, value };
}

/** `prefix` is `scheme://`, `suffix` is `.base-domain[:port]`, both from a normalised pattern. */
function matchesWildcard(origin: string, prefix: string, suffix: string): boolean {
  if (origin.length <= prefix.length + suffix.length) return false;
  if (!origin.startsWith(prefix) || !origin.endsWith(suffix)) return false;
  // In a canonical origin the middle is host labels only; a ':' there would mean the pattern's
  // host matched while the origin carries a port the pattern does not name.
  const middle = origin.slice(prefix.length, origin.length - suffix.length);
  return !middle.includes(':') && !middle.startsWith('.') && !middle.endsWith('.');
}

/** Matches a canonical origin against a normalised pattern, with plain string operations. */
function matchesNormalized(origin: string, pattern: string): boolean {
  const star = pattern.indexOf('://*.');
  if (star === -1) return origin === pattern;
  return matchesWildcard(origin, pattern.slice(0, star + 3), pattern.slice(star + 4));
}

/**
 * Whether an origin matches one pattern. Both sides are normalised first, so spelling
 * (case, IDN, default port) never decides; a wildcard matches one or more leftmost labels but
 * not the apex. Invalid input on either side never matches.
 *
 * @example
 * originMatches('https://a.example.com', 'https://*.example.com'); // true
 * originMatches('https://example.com', 'https://*.example.com'); // false: the apex is not covered
 * originMatches('https://example.com.evil.com', 'https://*.example.com'); // false
 */
export function originMatches(origin: string, pattern: string): boolean {
  const o = normalizeOrigin(origin);
  if (o === null) return false;
  const p = normalizeOriginPattern(pattern, { mode: 'test' });
  if (!p.ok) return false;
  return matchesNormalized(o, p.value);
}

/** A compiled allowlist: exact origins in a set, wildcards as prefix/suffix pairs. */
export interface OriginAllowlist {
  /** True when the origin (any spelling) is allowed for this key mode. */
  allows(origin: string): boolean;
  /** Same, for an origin already in canonical form (the hot path: no normalisation). */
  allowsCanonical(origin: string): boolean;
}

/**
 * Compiles allowlist patterns once for repeated matching. Invalid patterns and, for live keys,
 * loopback patterns are ignored (they cannot have been saved through the dashboard, but stored
 * data outlives validation rules). Loopback origins are never allowed on live keys.
 *
 * @example
 * const list = compileOriginAllowlist(['https://*.example.com'], 'live');
 * list.allows('https://shop.example.com'); // true
 * list.allows('https://evil-example.com'); // false
 */
export function compileOriginAllowlist(
  patterns: readonly string[],
  mode: OriginMode,
): OriginAllowlist {
  const exact = new Set<string>();
  const wildcards: Array<{ prefix: string; suffix: string }> = [];
  for (const raw of patterns) {
    const p = normalizeOriginPattern(raw, { mode });
    if (!p.ok) continue;
    const star = p.value.indexOf('://*.');
    if (star === -1) exact.add(p.value);
    else wildcards.push({ prefix: p.value.slice(0, star + 3), suffix: p.value.slice(star + 4) });
  }
  // Loopback patterns never survive normalisation for live keys, so no wildcard or exact entry
  // can let a loopback origin through here.
  const allowsCanonical = (origin: string): boolean => {
    if (exact.has(origin)) return true;
    for (const w of wildcards) if (matchesWildcard(origin, w.prefix, w.suffix)) return true;
    return false;
  };
  return {
    allowsCanonical,
    allows(origin: string): boolean {
      const parsed = parseOrigin(origin);
      if (parsed === null) return false;
      if (mode === 'live' && isLoopbackHost(parsed.host)) return false;
      return allowsCanonical(serializeOrigin(parsed));
    },
  };
}

/**
 * Whether an origin is allowed by a list of patterns for a key mode.
 *
 * @example
 * isAllowedOrigin('https://shop.example.com', ['https://shop.example.com'], 'live'); // true
 * isAllowedOrigin('http://localhost:3000', ['http://localhost:3000'], 'live'); // false: test keys only
 * isAllowedOrigin('http://localhost:3000', ['http://localhost:3000'], 'test'); // true
 */
export function isAllowedOrigin(
  origin: string,
  patterns: readonly string[],
  mode: OriginMode,
): boolean {
  return compileOriginAllowlist(patterns, mode).allows(origin);
}
