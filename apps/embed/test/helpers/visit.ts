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

/** In-page record of the script's events and of CSP violations, set up before any page code. */
interface Recorder {
  events: TagwardBeaconDetail[];
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
    const recorder = { events: [], violations: [], globals: [] } as Recorder;
    window.__recorder = recorder;
    recorder.globals = Object.getOwnPropertyNames(window);
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

export async function waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition') {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
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
    return { events: r.events, violations: r.violations, added };
  });

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
