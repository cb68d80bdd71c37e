// Benchmark: what the beacon pays to score one event (deriveSignals + score) against what it
// pays to JSON.parse that event's payload, on one core, in the same run. Goal: scoring is
// cheaper than parsing (ratio = parse_per_s / score_per_s < 1).
//
// The mix is realistic rather than flattering: mostly real browsers (Chromium, Firefox, Safari,
// mobile, behind an HTTP/2 proxy), some with page tokens, a share of scripted clients that fire
// many reasons (each reason builds a detail string), varied IPs, cadences and sites, and rules
// with block lists to check. Payloads carry the checks the embed script sends (CHECK_IDS).
import { CHECK_IDS } from '@tagward/protocol';
import {
  DEFAULT_RULES,
  applyOverride,
  deriveSignals,
  score,
  type RequestFacts,
  type Rules,
  type TokenOutcome,
} from '../src/index.js';
import * as F from '../fixtures/index.js';

const N = 4096;
const BUDGET_MS = 4000;
const MIN_PAIRS = 20;
const MAX_PAIRS = 400;

// Deterministic pseudo-random numbers (the benchmark must be repeatable, not clever).
let seed = 0x9e3779b9;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 0x1_0000_0000;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const MIX: Array<[number, F.HeaderList]> = [
  [40, F.CHROMIUM_SEND_BEACON],
  [12, F.CHROMIUM_FETCH_KEEPALIVE],
  [12, F.CHROME_ANDROID_SEND_BEACON],
  [8, F.CHROMIUM_VIA_H2_PROXY],
  [10, F.FIREFOX_SEND_BEACON],
  [9, F.SAFARI_SEND_BEACON],
  [2, F.HEADLESS_CHROMIUM_SEND_BEACON],
  [2, F.CURL_FORGED_ORIGIN],
  [1, F.CURL_DRESSED_AS_CHROME],
  [1, F.PYTHON_REQUESTS_DRESSED_AS_CHROME],
  [1, F.UNDICI_FETCH],
  [1, F.GO_DRESSED_AS_CHROME],
  [1, F.GO_NET_HTTP],
];
const MIX_TOTAL = MIX.reduce((s, [w]) => s + w, 0);
function pickHeaders(): F.HeaderList {
  let r = rand() * MIX_TOTAL;
  for (const [w, h] of MIX) {
    r -= w;
    if (r < 0) return h;
  }
  return F.CHROMIUM_SEND_BEACON;
}

// A few sites, each with its allowlist array kept (as the beacon's site cache keeps it).
const SITES = [
  {
    id: 'site_a',
    mode: 'live' as const,
    allowedOrigins: ['https://shop.example.com', 'https://*.example.org'],
    pageTokenRequired: false,
  },
  {
    id: 'site_b',
    mode: 'live' as const,
    allowedOrigins: ['https://shop.example.com'],
    pageTokenRequired: false,
  },
  {
    id: 'site_c',
    mode: 'live' as const,
    allowedOrigins: [
      'https://www.example.com',
      'https://shop.example.com',
      'https://m.example.com',
    ],
    pageTokenRequired: true,
  },
  {
    id: 'site_d',
    mode: 'test' as const,
    allowedOrigins: ['http://localhost:3000', 'https://shop.example.com'],
    pageTokenRequired: false,
  },
];

const PATHS = [
  '/',
  '/products/42?ref=home',
  '/blog/2025/05/why-layered-trust',
  '/cart',
  '/search?q=blue+shoes&page=2',
  '/about',
];
const fresh = (s: string): string => Buffer.from(s, 'latin1').toString('latin1');

function token(): TokenOutcome {
  const r = rand();
  if (r < 0.55) return { status: 'missing' };
  if (r < 0.93) return { status: 'valid', ageMs: 300 + Math.floor(rand() * 6000), ttlMs: 600_000 };
  return {
    status: pick(['expired', 'replayed', 'wrong_path', 'bad_signature'] as const),
    ageMs: Math.floor(rand() * 900_000),
    ttlMs: 600_000,
  };
}

function ip(): string {
  if (rand() < 0.2)
    return `2001:db8:${Math.floor(rand() * 0xffff).toString(16)}:${Math.floor(rand() * 0xffff).toString(16)}::${Math.floor(rand() * 0xffff).toString(16)}`;
  const b = () => Math.floor(rand() * 256);
  return rand() < 0.5
    ? `${b()}.${b()}.${b()}.${1 + Math.floor(rand() * 254)}`
    : `::ffff:${b()}.${b()}.${b()}.${1 + Math.floor(rand() * 254)}`;
}

function build(i: number): { facts: RequestFacts; payload: string } {
  const headers = pickHeaders();
  const site = pick(SITES);
  const url = `https://shop.example.com${pick(PATHS)}`;
  const nav = 400 + rand() * 3000;
  const start = nav + rand() * 400;
  const checks = rand() * 20;
  const timing = { nav, start, checks, send: start + checks + rand() * 5, ttfb: 50 + rand() * 300 };
  const count = Math.floor(rand() * 6);
  const t = token();
  const facts: RequestFacts = {
    // Fresh strings per request, as Node's HTTP parser makes them: nothing (string hashes,
    // for one) carries over from one event to the next.
    rawHeaders: F.raw(headers).map(fresh),
    ip: ip(),
    payload: {
      url,
      ref: rand() < 0.5 ? 'https://www.google.com/' : '',
      timing,
      seq: rand() < 0.9 ? 0 : 1 + Math.floor(rand() * 5),
    },
    site,
    token: t,
    attestation: { status: rand() < 0.95 ? 'absent' : 'valid' },
    cadence: {
      countLastMinute: count,
      intervalsMs: Array.from({ length: Math.min(count, 8) }, () =>
        Math.floor(2000 + rand() * 40_000),
      ),
      identicalTimings: 0,
    },
  };
  const payload = {
    v: 1,
    key: 'pk_live_4eC39HqLyjWDarjtT1zdp7dc',
    id: `ev_${i.toString(36)}_${Math.floor(rand() * 1e9).toString(36)}`,
    url,
    ref: facts.payload.ref,
    ...(t.status === 'missing'
      ? {}
      : {
          token: `pt1.${'A'.repeat(8)}${Math.floor(rand() * 1e12).toString(36)}${'x'.repeat(96)}`,
        }),
    checks: CHECK_IDS.map((id) => ({ id, pass: rand() < 0.8, value: Math.floor(rand() * 200) })),
    timing: {
      nav: Math.round(timing.nav * 10) / 10,
      start: Math.round(timing.start * 10) / 10,
      checks: Math.round(timing.checks * 10) / 10,
      send: Math.round(timing.send * 10) / 10,
      ttfb: Math.round(timing.ttfb * 10) / 10,
    },
    seq: facts.payload.seq,
  };
  return { facts, payload: JSON.stringify(payload) };
}

const items = Array.from({ length: N }, (_, i) => build(i));
const factsList = items.map((x) => x.facts);
const payloads = items.map((x) => x.payload);

// Rules as the beacon holds them: the global set with a site override (block lists to check),
// merged once and memoised by applyOverride.
const rules: Rules = applyOverride(DEFAULT_RULES, {
  hard: {
    blockIps: ['198.18.0.0/15', '100.64.0.0/10', '2001:db8:dead::/48'],
    blockUserAgents: ['scrapy', 'zgrab', 'masscan'],
    blockOrigins: ['https://*.evil.example.net'],
  },
});

let sink = 0;

function scoreBatch(): void {
  for (let i = 0; i < N; i += 1)
    sink += score(deriveSignals(factsList[i] as RequestFacts), rules).score;
}
function parseBatch(): void {
  for (let i = 0; i < N; i += 1) sink += (JSON.parse(payloads[i] as string) as { seq: number }).seq;
}

/**
 * Milliseconds of CPU time one batch (N events) takes. CPU time rather than wall time: the
 * machine is shared, and time spent waiting for a core would otherwise count as work.
 */
function time(batch: () => void): number {
  const before = process.cpuUsage();
  batch();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const avgBytes = Math.round(payloads.reduce((s, p) => s + p.length, 0) / N);
const verdicts = { trusted: 0, suspect: 0, fraud: 0 };
for (const f of factsList) verdicts[score(deriveSignals(f), rules).verdict] += 1;
console.log(
  `mix: ${N} events, payload ${avgBytes} B on average, verdicts ${JSON.stringify(verdicts)}`,
);

// Warm up both paths so the JIT has compiled them before anything is timed.
for (let i = 0; i < 20; i += 1) {
  scoreBatch();
  parseBatch();
}

// Alternate one batch of each, many times: other processes on the (shared) machine then slow
// both measurements alike, and the ratio stays meaningful even when the absolute figures are not.
let scoreMs = 0;
let parseMs = 0;
const pairRatios: number[] = [];
const t0 = performance.now();
let pairs = 0;
while (pairs < MIN_PAIRS || (performance.now() - t0 < BUDGET_MS && pairs < MAX_PAIRS)) {
  const s = time(scoreBatch);
  const p = time(parseBatch);
  scoreMs += s;
  parseMs += p;
  pairRatios.push(s / p); // = parse_per_s / score_per_s for this pair
  pairs += 1;
}

const scorePerS = Math.round((pairs * N * 1000) / scoreMs);
const parsePerS = Math.round((pairs * N * 1000) / parseMs);
if (sink === Number.NEGATIVE_INFINITY) console.log('unreachable');
console.log(
  `${pairs} alternating batches of ${N} (CPU time): score ${((scoreMs / pairs / N) * 1000).toFixed(2)} us/event, parse ${((parseMs / pairs / N) * 1000).toFixed(2)} us/event`,
);
console.log(
  `per-batch ratio: median ${median(pairRatios).toFixed(3)}, min ${Math.min(...pairRatios).toFixed(3)}, max ${Math.max(...pairRatios).toFixed(3)}`,
);
console.log(
  `bench trust: score_per_s=${scorePerS} parse_per_s=${parsePerS} ratio=${(parsePerS / scorePerS).toFixed(3)}`,
);
