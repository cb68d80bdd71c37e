// The setup the browser tests share: a fixture server, one browser on real time and one on a
// fake clock (for the tests that something does not happen), fresh page paths, and the waits.
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './browser.js';
import { advanceUntil, launchWithFakeClock, runOutTimers } from './clock.js';
import { accept, startFixtureServer, type FixtureServer } from './server.js';
import { sent, settled, uniquePath } from './visit.js';

export interface PageHarness {
  readonly browser: Browser;
  /** Every page of this one runs on a fake clock (helpers/clock.ts). */
  readonly clocked: Browser;
  readonly server: FixtureServer;
  /** Serves a page at a fresh path and returns its URL. */
  page(name: string, html: string, headers?: Record<string, string>): string;
  /** Beacons the server received from pages under `url`. */
  fromPage(url: string): FixtureServer['beacons'];
  /**
   * On the fake clock: after load (async scripts have run by then), every timer the script
   * could have set is run out; then the page must have made exactly `count` beacon calls.
   */
  expectBeaconCalls(tab: Page, url: string, count: number): Promise<void>;
  /**
   * On the fake clock: advances time until the page has made `count` beacon calls, failing
   * after `limitMs` of fake time.
   */
  advanceToCalls(tab: Page, count: number, limitMs?: number): Promise<void>;
}

/** Registers the file's hooks; call once at the top of a test file. */
export function pageHarness(): PageHarness {
  let browser: Browser;
  let clocked: Browser;
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer(inject('embedDir'));
    browser = await launchChromium();
    clocked = await launchWithFakeClock();
  });
  afterAll(async () => {
    await browser?.close();
    await clocked?.close();
    await server?.close();
  });
  afterEach(async () => {
    for (const p of [...browser.context.pages(), ...clocked.context.pages()]) await p.close();
    // A test that made the beacon refuse (retries, final errors) leaves it storing again.
    server.answer = accept;
    server.pages.clear();
    server.scripts.clear();
    server.requests.length = 0;
  });
  const fromPage = (url: string) =>
    server.beacons.filter((c) => (c.body as { url?: string })?.url?.startsWith(url));
  return {
    get browser() {
      return browser;
    },
    get clocked() {
      return clocked;
    },
    get server() {
      return server;
    },
    page(name, html, headers) {
      const path = uniquePath(name);
      server.pages.set(path, { html, ...(headers ? { headers } : {}) });
      return server.site + path;
    },
    fromPage,
    async expectBeaconCalls(tab, url, count) {
      await tab.waitForLoadState('load');
      await runOutTimers(tab);
      // Answers come in real time and may set retry timers: let every call settle, run out again.
      await settled(tab);
      await runOutTimers(tab);
      expect(await sent(tab)).toHaveLength(count);
      expect(fromPage(url).length).toBeLessThanOrEqual(count);
    },
    advanceToCalls: (tab, count, limitMs) =>
      advanceUntil(
        tab,
        async () => (await sent(tab)).length >= count,
        `${count} beacon call(s)`,
        limitMs,
      ),
  };
}
