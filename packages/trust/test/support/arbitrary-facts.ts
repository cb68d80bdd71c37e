// Generators of whole requests for the deriveSignals properties: captured header blocks with
// random edits, any client address, any page URL, timing, site and history.
import fc from 'fast-check';
import type { RequestFacts } from '../../src/index.js';
import * as F from '../../fixtures/index.js';
import { ATTESTATION_STATUSES, ORIGINS, TOKEN_STATUSES, ms } from './arbitraries.js';

const FIXTURES = [
  F.CHROMIUM_SEND_BEACON,
  F.CHROMIUM_FETCH_KEEPALIVE,
  F.FIREFOX_SEND_BEACON,
  F.SAFARI_SEND_BEACON,
  F.CURL_FORGED_ORIGIN,
  F.PYTHON_REQUESTS,
  F.UNDICI_FETCH,
  F.GO_NET_HTTP,
  F.CHROMIUM_VIA_H2_PROXY,
];

/** IPv4 with a non-zero host byte, and full-form IPv6 with a non-zero last group: never equal to their network. */
export const arbIp = fc.oneof(
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 255 }))
    .map((p) => p.join('.')),
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 255 }))
    .map((p) => `::ffff:${p.join('.')}`),
  fc
    .tuple(
      fc.array(fc.nat(0xffff), { minLength: 7, maxLength: 7 }),
      fc.integer({ min: 1, max: 0xffff }),
    )
    .map(([head, last]) => [...head, last].map((g) => g.toString(16)).join(':')),
);

export const arbHeaders = fc
  .tuple(
    fc.constantFrom(...FIXTURES),
    fc.array(
      fc.record({
        op: fc.constantFrom('drop', 'dup', 'upper', 'lower', 'origin'),
        at: fc.nat(30),
        origin: fc.constantFrom(
          ...ORIGINS,
          'HTTPS://SHOP.EXAMPLE.COM',
          'https://shop.example.com/x',
          'https://exämple.com',
        ),
      }),
      { maxLength: 4 },
    ),
  )
  .map(([base, ops]) => {
    const list = base.map(([n, v]) => [n, v] as [string, string]);
    for (const { op, at, origin } of ops) {
      if (list.length === 0) break;
      const i = at % list.length;
      const entry = list[i] as [string, string];
      if (op === 'drop') list.splice(i, 1);
      else if (op === 'dup') list.push([entry[0], entry[1]]);
      else if (op === 'upper') entry[0] = entry[0].toUpperCase();
      else if (op === 'lower') entry[0] = entry[0].toLowerCase();
      else list.push(['Origin', origin]);
    }
    return list;
  });

export const arbFacts: fc.Arbitrary<RequestFacts> = fc
  .record({
    headers: arbHeaders,
    ip: arbIp,
    url: fc.constantFrom(
      F.PAGE_URL,
      'https://blog.example.org/a?b=c#d',
      'http://localhost:3000/',
      'javascript:void(0)',
      'https://exämple.com/ü',
      '',
    ),
    timing: fc.record({
      nav: ms,
      start: ms,
      checks: ms,
      send: ms,
      ttfb: fc.option(ms, { nil: undefined }),
    }),
    seq: fc.nat(100),
    mode: fc.constantFrom('live' as const, 'test' as const),
    allowedOrigins: fc.subarray([
      'https://shop.example.com',
      'https://*.example.org',
      'http://localhost:3000',
      'garbage',
    ]),
    pageTokenRequired: fc.boolean(),
    token: fc.record({
      status: fc.constantFrom(...TOKEN_STATUSES),
      ageMs: fc.option(fc.integer({ min: -1000, max: 1_000_000 }), { nil: undefined }),
      ttlMs: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
    }),
    attestation: fc.constantFrom(...ATTESTATION_STATUSES),
    countLastMinute: fc.nat(100),
    intervalsMs: fc.array(fc.nat(120_000), { maxLength: 12 }),
    identicalTimings: fc.nat(3),
  })
  .map((g) => {
    const f = F.facts({
      headers: g.headers,
      ip: g.ip,
      payload: { url: g.url, seq: g.seq },
      site: {
        mode: g.mode,
        allowedOrigins: g.allowedOrigins,
        pageTokenRequired: g.pageTokenRequired,
      },
      token: g.token,
      attestation: { status: g.attestation },
      cadence: {
        countLastMinute: g.countLastMinute,
        intervalsMs: g.intervalsMs,
        identicalTimings: g.identicalTimings,
      },
    });
    f.payload.timing =
      g.timing.ttfb === undefined
        ? { nav: g.timing.nav, start: g.timing.start, checks: g.timing.checks, send: g.timing.send }
        : g.timing;
    return f;
  });

/** MongoDB document constraints: keys without '.' or a leading '$', no arrays of arrays. */
export function storageProblems(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((x, i) =>
      Array.isArray(x) ? [`${path}[${i}] is a nested array`] : storageProblems(x, `${path}[${i}]`),
    );
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.includes('.') || k.startsWith('$') ? [`${path}.${k} is not a safe key`] : []),
      ...storageProblems(v, `${path}.${k}`),
    ]);
  }
  return [];
}
