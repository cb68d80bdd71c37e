// Fake time for the tests that assert that something does NOT happen. A fixed sleep proves
// nothing: a beacon sent just after it passes unseen. On a fake clock the test runs out every
// timer the script can have set, then reads the page's own record of beacon calls (visit.ts),
// so a beacon sent late, however late, is a failure.
import type { Page } from 'playwright-core';
import { launchChromium, type Browser } from './browser.js';

/**
 * Longer than any delay in the script: retries (at most 16 s), Retry-After (the beacon sends
 * at most 60), the attestation wait (3 s), the single-page-app settle time (0.5 s).
 */
export const LONGER_THAN_ANY_TIMER_MS = 10 * 60_000;

/** A browser whose pages all run on a fake clock (the clock is installed per context). */
export async function launchWithFakeClock(): Promise<Browser> {
  const browser = await launchChromium();
  await browser.context.clock.install();
  return browser;
}

/** Fires every timer and idle callback the page could still have pending. */
export async function runOutTimers(page: Page): Promise<void> {
  await page.clock.runFor(LONGER_THAN_ANY_TIMER_MS);
}

/**
 * Advances fake time in small steps (the network answers in real time in between) until
 * `done()` holds; fails after `limitMs` of fake time.
 */
export async function advanceUntil(
  page: Page,
  done: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 60_000,
): Promise<void> {
  const step = 100;
  for (let t = 0; !(await done()); t += step) {
    if (t > limitMs) throw new Error(`not seen within ${limitMs} ms of fake time: ${what}`);
    await page.clock.runFor(step);
  }
}
