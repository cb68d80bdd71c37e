// Opens fixture pages in Chromium and waits for what the embed script does.
import type { Page } from 'playwright-core';
import { collectPayloadSchema, type CollectPayload } from '@tagward/protocol';
import type { TagwardBeaconDetail } from '../../src/manifest.js';
import type { Browser } from './browser.js';
import type { Captured, FixtureServer } from './server.js';

export interface Visit {
  page: Page;
  /** Uncaught errors of the page, with their stacks. */
  pageErrors: Error[];
}

export interface VisitOptions {
  /** Pretend the browser sends Global Privacy Control (Chromium has no switch for it). */
  gpc?: boolean;
  /** Referrer of the navigation. */
  referer?: string;
}

/** A beacon request the page made, recorded at the moment of the call. */
export interface SentBeacon {
  via: 'fetch' | 'sendBeacon';
  /** The payload's seq. */
  seq: number;
}

/**
 * In-page record of the script's events, of its beacon requests and of CSP violations, set up
 * before any page code. `sent` is written synchronously by the fetch and sendBeacon calls
 * themselves: a test that reads it knows every request made so far, with no network in between.
 */
interface Recorder {
  events: TagwardBeaconDetail[];
  sent: SentBeacon[];
  violations: string[];
  globals: string[];
}

declare global {
  interface Window {
    __recorder?: Recorder;
  }
}

export async function visit(
  browser: Browser,
  url: string,
  options: VisitOptions = {},
): Promise<Visit> {
  const page = await browser.context.newPage();
  const pageErrors: Error[] = [];
  page.on('pageerror', (e) => pageErrors.push(e));
  await page.addInitScript((gpc: boolean) => {
    // Init scripts run before the page's own and are exempt from its CSP.
    const recorder = { events: [], sent: [], violations: [], globals: [] } as Recorder;
    window.__recorder = recorder;
    recorder.globals = Object.getOwnPropertyNames(window);
    const note = (via: SentBeacon['via'], url: unknown, body: unknown) => {
      if (!String(url).endsWith('/v1/collect')) return;
      let seq = -1;
      try {
        seq = (JSON.parse(String(body)) as { seq: number }).seq;
      } catch {
        // not a payload: recorded with seq -1
      }
      recorder.sent.push({ via, seq });
    };
    const realFetch = window.fetch;
    window.fetch = function (input, init) {
      note('fetch', input, init?.body);
      return realFetch.call(this, input, init);
    };
    const realSendBeacon = Navigator.prototype.sendBeacon;
    Navigator.prototype.sendBeacon = function (url, data) {
      note('sendBeacon', url, data);
      return realSendBeacon.call(this, url, data);
    };
    document.addEventListener('tagward:beacon', (e) =>
      recorder.events.push((e as CustomEvent<TagwardBeaconDetail>).detail),
    );
    document.addEventListener('securitypolicyviolation', (e) =>
      recorder.violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
    if (gpc)
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });
  }, options.gpc ?? false);
  await page.goto(url, options.referer ? { referer: options.referer } : {});
  return { page, pageErrors };
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
) {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits for `count` beacons whose page URL starts with `prefix` and returns their payloads, each
 * checked against the wire schema. (A closed page flushes its unsettled beacons, so a beacon of
 * an earlier test can still arrive: tests use their own page paths and filter on them.)
 */
export async function beacons(
  server: FixtureServer,
  prefix: string,
  count: number,
  timeoutMs = 10_000,
): Promise<CollectPayload[]> {
  const mine = () => server.beacons.filter((c) => captured(c).url.startsWith(prefix));
  await waitFor(() => mine().length >= count, timeoutMs, `${count} beacon(s) from ${prefix}`);
  return mine().map(captured);
}

const captured = (c: Captured) => collectPayloadSchema.parse(c.body);

let pathCounter = 0;
/** A page path no other test uses. */
export const uniquePath = (name: string) => `/${name}-${++pathCounter}`;

export const recorder = (page: Page) =>
  page.evaluate(() => {
    const r = window.__recorder!;
    const added = Object.getOwnPropertyNames(window).filter((k) => !r.globals.includes(k));
    return { events: r.events, sent: r.sent, violations: r.violations, added };
  });

/** The beacon requests the page has made so far (see Recorder). */
export const sent = async (page: Page) => (await recorder(page)).sent;

/** Waits until every beacon the page sent has been settled (announced by tagward:beacon). */
export async function settled(page: Page, timeoutMs = 10_000): Promise<void> {
  const ids = async () => {
    const r = await recorder(page);
    return { sent: new Set(r.sent.map((c) => c.seq)).size, settled: r.events.length };
  };
  await waitFor(
    async () => {
      const n = await ids();
      return n.settled >= n.sent;
    },
    timeoutMs,
    'every beacon settled',
  );
}

/** Waits until the page has seen `count` tagward:beacon events. */
export async function events(
  page: Page,
  count: number,
  timeoutMs = 10_000,
): Promise<TagwardBeaconDetail[]> {
  await page.waitForFunction((n) => (window.__recorder?.events.length ?? 0) >= n, count, {
    timeout: timeoutMs,
  });
  return (await recorder(page)).events;
}

/** Result of one check by id, or undefined. */
export const check = (p: CollectPayload, id: string) => p.checks.find((c) => c.id === id);

declare global {
  interface Window {
    tagward?: unknown;
  }
}
