/**
 * Thirty days of made-up traffic for the dashboard screenshots: mostly real-looking page views,
 * some scripted ones and some from a copied key, with the raw signals the event pages show.
 */
import { CHECK_IDS } from '@tagward/protocol';
import { HOUR_MS, type FakeEvent } from '../test/support/record-events.js';

function signals(kind: 'real' | 'script' | 'copied'): Record<string, unknown> {
  const real = kind === 'real';
  return {
    v: 1,
    mode: 'live',
    ip: { family: 4, prefix: '203.0.113.0/24' },
    origin: { value: kind === 'copied' ? 'https://copycat.example' : 'https://shop.example', status: kind === 'copied' ? 'not_allowed' : 'allowed', canonical: true },
    page: { origin: 'https://shop.example', allowed: true, sameAsOrigin: kind !== 'copied', seq: 0 },
    referrer: { kind: real ? 'full' : 'absent', origin: real ? 'https://shop.example' : null, matchesOrigin: real ? true : null, matchesPage: real ? true : null },
    token: { status: real ? 'valid' : kind === 'script' ? 'replayed' : 'missing', ageMs: real ? 840 : null, ttlMs: 600000, required: false },
    attestation: { status: 'absent' },
    timing: { nav: real ? 912.4 : 0, start: real ? 1040.2 : 0, checks: real ? 3.1 : 0, send: real ? 1044 : 0, ttfb: real ? 128.5 : null, identicalRepeats: real ? 0 : 14 },
    cadence: { lastMinute: real ? 0 : 58, intervals: real ? 1 : 8, meanMs: real ? 48000 : 1000, cv: real ? 0.9 : 0.01 },
    shape: {
      ua: real ? 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' : 'python-requests/2.32.3',
      uaFamily: real ? 'chromium' : 'library',
      uaMajor: real ? 130 : null,
      uaTool: real ? null : 'python_requests',
      secFetchExpected: real,
      secFetchSite: real ? 'same-origin' : null,
      secFetchMode: real ? 'no-cors' : null,
      secFetchDest: real ? 'empty' : null,
      secFetchUser: null,
      hintsExpected: real,
      hintsPresent: real,
      hintsMismatch: [],
      fingerprint: real ? null : 'python_requests',
      casingAtypical: !real,
      missingBrowserHeaders: real ? [] : ['accept_language'],
      contentType: 'text/plain;charset=UTF-8',
      duplicated: [],
      headerOrder: real ? 'host,connection,content-length,sec-ch-ua-platform,user-agent,sec-ch-ua,content-type' : 'host,user-agent,accept-encoding,accept,connection,content-length',
    },
  };
}

const CHECKS = CHECK_IDS;
const PATHS = ['/', '/products', '/products/blue-mug', '/products/green-teapot', '/blog/brewing-guide', '/cart', '/about'];

export function fakeTraffic(now: number): FakeEvent[] {
  const events: FakeEvent[] = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let h = 24 * 30; h >= 0; h--) {
    const hour = now - h * HOUR_MS;
    const daily = 0.6 + 0.4 * Math.sin(((new Date(hour).getUTCHours() - 6) / 24) * 2 * Math.PI);
    const n = Math.round((h < 24 * 7 ? 14 : 8) * daily + rand() * 4);
    for (let i = 0; i < n; i++) {
      const r = rand();
      const kind = r < 0.82 ? 'real' : r < 0.93 ? 'script' : 'copied';
      const verdict = kind === 'real' ? (rand() < 0.9 ? 'trusted' : 'suspect') : kind === 'script' ? (rand() < 0.5 ? 'suspect' : 'fraud') : 'fraud';
      const score = verdict === 'trusted' ? 0.78 + rand() * 0.22 : verdict === 'suspect' ? 0.35 + rand() * 0.3 : rand() * 0.25;
      const reasons =
        kind === 'real'
          ? verdict === 'suspect'
            ? [{ code: 'referrer_absent', weight: -0.15, detail: 'no Referer header' }]
            : [{ code: 'page_token_valid', weight: 0.3 }]
          : kind === 'script'
            ? [
                { code: 'page_token_replayed', weight: -0.6, detail: 'nonce already spent 41 s earlier' },
                { code: 'ua_http_library', weight: -0.4, detail: 'python-requests/2.32.3' },
                { code: 'cadence_regular', weight: -0.3, detail: 'cv 0.01 over 8 intervals' },
              ]
            : [{ code: 'origin_not_allowed', weight: -0.7, detail: 'https://copycat.example' }];
      events.push({
        receivedAt: new Date(hour + Math.floor(rand() * HOUR_MS)),
        path: PATHS[Math.floor(PATHS.length * rand() ** 1.7)]!,
        verdict,
        score,
        reasons,
        checks: CHECKS.map((id, k) => ({ id, pass: rand() < 0.95 - k * 0.05, value: id === 'title_length' ? 38 : null })),
        tokenValid: kind === 'real',
        attestationCohort: rand() < 0.05,
        signals: signals(kind),
      });
    }
  }
  return events.filter((e) => e.receivedAt.getTime() <= now);
}
