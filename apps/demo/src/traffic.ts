import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createAttestClient, memoryTokenStore } from '@tagward/attest/client';
import type { CheckId } from '@tagward/protocol';

/**
 * Demo traffic: real HTTP beacons through the beacon endpoint, so a newcomer sees every chart,
 * the quarantine and the explorer fill up within a minute. Most are page views as Chromium sends
 * them (header order and casing included) from the demo pages with fresh page tokens fetched from
 * the demo site; the rest are forgeries of several kinds. These are simulations written with
 * Node's http client: the point is to exercise the scoring, not to be a browser.
 */

export interface TrafficOptions {
  beaconUrl: string;
  siteUrl: string;
  publicKey: string;
  /** Share of legitimate page views (0–100) that take part in the attestation experiment. */
  attestationCohortPct: number;
  /** Beacons per second on average. */
  rate: number;
  log: (line: string) => void;
}

const CHROME_VERSIONS = ['131', '132', '133'];
const PLATFORMS = [
  { platform: '"Windows"', ua: 'Windows NT 10.0; Win64; x64' },
  { platform: '"macOS"', ua: 'Macintosh; Intel Mac OS X 10_15_7' },
  { platform: '"Linux"', ua: 'X11; Linux x86_64' },
];
/** The embed script's checks (docs/embed.md) and when each passes, to simulate what it reports. */
const PASS: Record<string, (value: number) => boolean> = {
  title: (v) => v >= 1,
  title_length: (v) => v >= 10 && v <= 60,
  description: (v) => v >= 1,
  description_length: (v) => v >= 50 && v <= 160,
  html_lang: (v) => v === 1,
  viewport: (v) => v === 1,
  canonical: (v) => v === 1,
  indexable: (v) => v === 1,
  og_basics: (v) => v === 4,
  h1_single: (v) => v === 1,
  heading_order: (v) => v === 0,
  img_alt: (v) => v === 0,
  link_text: (v) => v === 0,
  jsonld: (v) => v >= 1,
  jsonld_valid: (v) => v === 0,
} satisfies Record<CheckId, (value: number) => boolean>;

function checks(values: Record<string, number>): Array<{ id: string; pass: boolean; value: number }> {
  return Object.entries(PASS).map(([id, passes]) => {
    const value = values[id] ?? 0;
    return { id, pass: passes(value), value };
  });
}

/** What the checks find on each demo page (see site.ts). */
const CHECK_SETS: Record<string, ReturnType<typeof checks>> = {
  '/': checks({ title: 40, title_length: 40, description: 62, description_length: 62, html_lang: 1, viewport: 1, canonical: 1, indexable: 1, og_basics: 3, h1_single: 1, jsonld: 1 }),
  '/products/widget': checks({ title: 22, title_length: 22, description: 60, description_length: 60, html_lang: 1, viewport: 1, canonical: 1, indexable: 1, og_basics: 3, h1_single: 1, img_alt: 1, jsonld: 1 }),
  '/blog/hello': checks({ title: 5, title_length: 5, html_lang: 1, viewport: 1, indexable: 1, h1_single: 1, heading_order: 1, img_alt: 1, link_text: 1 }),
  '/about': checks({ h1_single: 2 }),
};
const PATHS = Object.keys(CHECK_SETS);

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

function eventId(): string {
  return randomBytes(12).toString('base64url');
}

interface Visitor {
  userAgent: string;
  chrome: string;
  platform: string;
}

function newVisitor(): Visitor {
  const chrome = pick(CHROME_VERSIONS);
  const p = pick(PLATFORMS);
  // A per-visitor suffix gives each simulated visitor its own visitor hash (they all share 127.0.0.1).
  const build = `${chrome}.0.${6000 + Math.floor(Math.random() * 900)}.${Math.floor(Math.random() * 200)}`;
  return {
    userAgent: `Mozilla/5.0 (${p.ua}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${build} Safari/537.36`,
    chrome,
    platform: p.platform,
  };
}

/** Headers in the order and casing Chromium uses for navigator.sendBeacon with a text/plain body. */
function chromiumHeaders(visitor: Visitor, host: string, origin: string, referer: string, length: number): Record<string, string> {
  return {
    Host: host,
    Connection: 'keep-alive',
    'Content-Length': String(length),
    'sec-ch-ua-platform': visitor.platform,
    'User-Agent': visitor.userAgent,
    'sec-ch-ua': `"Chromium";v="${visitor.chrome}", "Not(A:Brand";v="24", "Google Chrome";v="${visitor.chrome}"`,
    'Content-Type': 'text/plain;charset=UTF-8',
    'sec-ch-ua-mobile': '?0',
    Accept: '*/*',
    Origin: origin,
    'Sec-Fetch-Site': 'same-site',
    'Sec-Fetch-Mode': 'no-cors',
    'Sec-Fetch-Dest': 'empty',
    Referer: referer,
    'Accept-Encoding': 'gzip, deflate, br, zstd',
    'Accept-Language': 'en-US,en;q=0.9',
  };
}

function post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function fetchToken(siteUrl: string, path: string): Promise<string | undefined> {
  const res = await fetch(siteUrl + path);
  const html = await res.text();
  return /data-token="([^"]+)"/.exec(html)?.[1];
}

function payload(
  publicKey: string,
  url: string,
  path: string,
  token: string | undefined,
  timingJitter = true,
  attestation?: { att: string | null },
) {
  const nav = timingJitter ? 300 + Math.round(Math.random() * 1500) : 500;
  const start = nav + (timingJitter ? 20 + Math.round(Math.random() * 400) : 50);
  const checks = timingJitter ? Math.round(Math.random() * 30) / 10 + 0.3 : 1;
  return {
    v: 1,
    key: publicKey,
    id: eventId(),
    url,
    ref: '',
    ...(token ? { token } : {}),
    ...(attestation ? { cohort: true, ...(attestation.att ? { att: attestation.att } : {}) } : {}),
    checks: CHECK_SETS[path] ?? [],
    timing: { nav, start, checks, send: start + checks + 1 },
    seq: 0,
  };
}

type Kind = 'legit' | 'legit_no_token' | 'wrong_origin' | 'replay' | 'burst';

export function startTraffic(options: TrafficOptions): { stop(): void; sent: Record<Kind, number> } {
  const beacon = new URL('/v1/collect', options.beaconUrl);
  const host = beacon.host;
  const origin = new URL(options.siteUrl).origin;
  const sent: Record<Kind, number> = { legit: 0, legit_no_token: 0, wrong_origin: 0, replay: 0, burst: 0 };
  const visitors = Array.from({ length: 40 }, newVisitor);
  const spentTokens: Array<{ token: string; path: string }> = [];
  let stopped = false;
  // Cohort page views fetch Privacy Pass tokens from the beacon as the embed's attest module
  // does (challenge, proof of work, blind issuance), sent with the demo site's Origin.
  const attest = createAttestClient({
    issuerUrl: options.beaconUrl,
    store: memoryTokenStore(),
    fetch: (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), origin } }),
  });

  async function legit(withToken: boolean): Promise<void> {
    const visitor = pick(visitors);
    const path = withToken ? pick(PATHS.filter((p) => p !== '/about')) : '/about';
    const token = withToken ? await fetchToken(options.siteUrl, path) : undefined;
    const inCohort = Math.random() * 100 < options.attestationCohortPct;
    const attestation = inCohort ? { att: await attest.token().catch(() => null) } : undefined;
    const view = payload(options.publicKey, origin + path, path, token, true, attestation);
    // A real page sends its beacon after the page has loaded and the browser is idle.
    await new Promise((resolve) => setTimeout(resolve, view.timing.send));
    const body = JSON.stringify(view);
    const headers = chromiumHeaders(visitor, host, origin, origin + path, Buffer.byteLength(body));
    await post(beacon, headers, body);
    if (token) spentTokens.push({ token, path });
    if (spentTokens.length > 50) spentTokens.shift();
    sent[withToken ? 'legit' : 'legit_no_token']++;
  }

  async function wrongOrigin(): Promise<void> {
    const visitor = pick(visitors);
    const evil = 'https://copycat-widgets.example';
    const body = JSON.stringify(payload(options.publicKey, `${evil}/`, '/', undefined));
    await post(beacon, chromiumHeaders(visitor, host, evil, `${evil}/`, Buffer.byteLength(body)), body);
    sent.wrong_origin++;
  }

  /** A captured beacon's page token sent again with a fresh beacon for the same page. */
  async function replay(): Promise<void> {
    const spent = spentTokens[0];
    if (!spent) return;
    const visitor = pick(visitors);
    const url = origin + spent.path;
    const body = JSON.stringify(payload(options.publicKey, url, spent.path, spent.token));
    await post(beacon, chromiumHeaders(visitor, host, origin, url, Buffer.byteLength(body)), body);
    sent.replay++;
  }

  /** A script replaying a captured beacon quickly: curl's header shape, identical timings. */
  async function burst(): Promise<void> {
    for (let i = 0; i < 15 && !stopped; i++) {
      const body = JSON.stringify(payload(options.publicKey, `${origin}/`, '/', undefined, false));
      await post(
        beacon,
        {
          Host: host,
          'User-Agent': 'curl/8.5.0',
          Accept: '*/*',
          Origin: origin,
          'Content-Type': 'text/plain',
          'Content-Length': String(Buffer.byteLength(body)),
        },
        body,
      );
      sent.burst++;
    }
  }

  const timer = setInterval(() => {
    if (stopped) return;
    const roll = Math.random();
    const task =
      roll < 0.72 ? legit(true)
      : roll < 0.85 ? legit(false)
      : roll < 0.92 ? wrongOrigin()
      : roll < 0.97 ? replay()
      : burst();
    task.catch((error: unknown) => options.log(`demo traffic: ${(error as Error).message}`));
  }, Math.max(20, Math.round(1000 / options.rate)));
  timer.unref();

  return {
    sent,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
