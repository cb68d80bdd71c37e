// Delivery, in real Chromium against a stand-in beacon: what is sent, how, and what happens when
// the beacon refuses or the visitor leaves.
import { describe, expect, inject, test } from 'vitest';
import { readEmbedManifest } from '../src/manifest.js';
import { advanceUntil, runOutTimers } from './helpers/clock.js';
import { pageHarness } from './helpers/page-harness.js';
import { accept, type Reply } from './helpers/server.js';
import { beacons, events, recorder, sent, uniquePath, visit, waitFor } from './helpers/visit.js';
import { GOOD_BODY, GOOD_HEAD, KEY, goodPage, snippet } from './fixtures.js';

const h = pageHarness();

describe('a stored beacon', () => {
  test('is one text/plain POST by fetch without cookies, and the page hears its id', async () => {
    const { sri, file } = readEmbedManifest(inject('embedDir'));
    const url = h.page(
      'stored',
      goodPage({
        tagward: h.server.tagward,
        file,
        attrs: `integrity="${sri}" crossorigin="anonymous" data-token="tok-page-1"`,
      }),
    );
    const referer = `${h.server.site}/from-here`;
    const { page: tab, pageErrors } = await visit(h.browser, `${url}?q=1#section`, { referer });
    const [p] = await beacons(h.server, url, 1);
    const [captured] = h.fromPage(url);

    expect(p).toMatchObject({
      v: 1,
      key: KEY,
      url: `${url}?q=1`,
      ref: referer,
      token: 'tok-page-1',
      seq: 0,
      errors: [],
    });
    expect(p!.id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    // The page's clock: first byte, then load end, then the checks, then the send.
    const timing = p!.timing;
    expect(timing.ttfb).toBeGreaterThan(0);
    expect(timing.ttfb!).toBeLessThanOrEqual(timing.nav);
    expect(timing.nav).toBeLessThanOrEqual(timing.start);
    expect(timing.start + timing.checks).toBeLessThanOrEqual(timing.send);
    expect(p!.cohort).toBeUndefined();
    expect(p!.att).toBeUndefined();
    // Navigation, then load, then idle, then the checks, then the send.
    const t = p!.timing;
    expect(t.nav).toBeGreaterThan(0);
    expect(t.start).toBeGreaterThanOrEqual(t.nav);
    expect(t.checks).toBeGreaterThanOrEqual(0);
    expect(t.send).toBeGreaterThanOrEqual(t.start);

    expect(captured!.headers['content-type']).toBe('text/plain;charset=UTF-8');
    expect(captured!.headers.origin).toBe(h.server.site);
    expect(captured!.headers['sec-fetch-mode']).toBe('cors');
    expect(captured!.headers.cookie).toBeUndefined();

    expect(await events(tab, 1)).toEqual([{ id: p!.id, seq: 0, status: 200 }]);
    const { added, violations } = await recorder(tab);
    expect(added).toEqual(['tagward']);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

// The beacon refuses the first attempt, then stores: two requests, byte-for-byte the same body
// (same idempotency id), and one event for the page.
describe.each([
  {
    name: '503 with Retry-After',
    first: { status: 503, headers: { 'retry-after': '1' } },
    minGap: 900,
  },
  {
    name: '429 with Retry-After',
    first: { status: 429, headers: { 'retry-after': '1' } },
    minGap: 900,
  },
  { name: '503 without Retry-After (backoff of 1–2 s)', first: { status: 503 }, minGap: 900 },
  { name: '500', first: { status: 500 }, minGap: 900 },
])('a beacon answered $name', ({ first, minGap }) => {
  test('is retried once, with the same body, and counted once', async () => {
    const url = h.page('retry', goodPage({ tagward: h.server.tagward }));
    h.server.answer = (c, index) => {
      const sameBeacon = h.server.beacons.filter((b) => b.raw === c.raw).length;
      return sameBeacon === 1 ? (first as Reply) : accept(c, index);
    };
    const { page: tab } = await visit(h.browser, url);
    await waitFor(() => h.fromPage(url).length >= 2, 10_000, 'the retry');
    const [a, b] = h.fromPage(url);
    expect(b!.raw).toBe(a!.raw);
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(minGap);
    const ids = new Set(h.fromPage(url).map((c) => (c.body as { id: string }).id));
    expect(ids.size).toBe(1);
    expect(await events(tab, 1)).toEqual([{ id: [...ids][0], seq: 0, status: 200 }]);
  });
});

test('a 400 is final: no retry, and the page hears the status', async () => {
  const url = h.page('refused', goodPage({ tagward: h.server.tagward }));
  h.server.answer = () => ({
    status: 400,
    body: { error: { code: 'invalid_payload', message: 'no' } },
  });
  const { page: tab } = await visit(h.clocked, url);
  await advanceUntil(tab, async () => (await recorder(tab)).events.length > 0, 'the answer');
  // Every timer the script could have set for a retry, run out: still the one request.
  await runOutTimers(tab);
  const { events: settled, sent: calls } = await recorder(tab);
  const [p] = await beacons(h.server, url, 1);
  expect(settled).toEqual([{ id: p!.id, seq: 0, status: 400 }]);
  expect(calls).toEqual([{ via: 'fetch', seq: 0 }]);
  expect(h.fromPage(url)).toHaveLength(1);
});

test('gives up after four retries with growing delays', async () => {
  const url = h.page('give-up', goodPage({ tagward: h.server.tagward }));
  h.server.answer = () => ({ status: 503, headers: { 'retry-after': '0' } });
  // Fake timers, so that the 0.5 to 16 s of backoff take no real time.
  const tab = await h.clocked.context.newPage();
  await tab.addInitScript(() => {
    // What the script did, on the page's (fake) clock: when it called fetch, when each answer
    // reached it (just before its own handler, which schedules the retry), what it announced.
    const log = { fetches: [] as number[], answers: [] as number[], seen: [] as unknown[] };
    (window as unknown as { log: typeof log }).log = log;
    const realFetch = window.fetch;
    window.fetch = (...a) => {
      log.fetches.push(Date.now());
      return realFetch(...a).then((r) => (log.answers.push(Date.now()), r));
    };
    document.addEventListener('tagward:beacon', (e) => log.seen.push((e as CustomEvent).detail));
  });
  await tab.goto(url);
  type Log = { fetches: number[]; answers: number[]; seen: unknown[] };
  const pageLog = () => tab.evaluate(() => (window as unknown as { log: Log }).log);
  for (let attempt = 1; attempt <= 5; attempt++) {
    // Fake time in small steps: the idle callback first, then each (doubling) backoff.
    for (let i = 0; h.fromPage(url).length < attempt && i < 100; i++) await tab.clock.runFor(250);
    expect(h.fromPage(url)).toHaveLength(attempt);
    // The fake clock stands still until the answer is in the page: the backoff starts from the
    // answer, and fake time run while it travels (slow on a loaded machine) is not backoff.
    await expect.poll(async () => (await pageLog()).answers.length, { timeout: 10_000 }).toBe(attempt);
  }
  await tab.clock.runFor(120_000);
  expect(h.fromPage(url)).toHaveLength(5);
  const log = await pageLog();
  // From each answer to the next attempt: the backoff the script chose.
  const gaps = log.fetches.slice(1).map((t, i) => t - log.answers[i]!);
  // 1–2 s, 2–4 s, 4–8 s, 8–16 s, seen through 250 ms steps of fake time.
  [1000, 2000, 4000, 8000].forEach((lo, i) => {
    expect(gaps[i]).toBeGreaterThanOrEqual(lo);
    expect(gaps[i]).toBeLessThanOrEqual(2 * lo + 250);
  });
  const id = (h.fromPage(url)[0]!.body as { id: string }).id;
  expect(log.seen).toEqual([{ id, seq: 0, status: 503 }]);
});

describe('a visitor who leaves', () => {
  test('takes a beacon waiting for its retry along, by sendBeacon', async () => {
    const url = h.page('leave-retry', goodPage({ tagward: h.server.tagward }));
    h.server.answer = (c, index) =>
      c.headers['sec-fetch-mode'] === 'cors'
        ? { status: 503, headers: { 'retry-after': '60' } }
        : accept(c, index);
    const { page: tab } = await visit(h.browser, url);
    await beacons(h.server, url, 1);
    await tab.goto('about:blank');
    await waitFor(() => h.fromPage(url).length >= 2, 10_000, 'the flushed beacon');
    const [a, b] = h.fromPage(url);
    expect(b!.raw).toBe(a!.raw);
    // sendBeacon with a text/plain body is a no-cors request.
    expect(b!.headers['sec-fetch-mode']).toBe('no-cors');
  });

  test('before the load event is still counted, with nav = 0', async () => {
    const slow = uniquePath('slow.gif');
    h.server.pages.set(slow, { html: '', delay: 4000 });
    const url = h.page(
      'leave-early',
      `<!doctype html><html lang="en"><head>${GOOD_HEAD}${snippet({ tagward: h.server.tagward })}</head><body>${GOOD_BODY}<img src="${slow}" alt="slow"></body></html>`,
    );
    const tab = await h.browser.context.newPage();
    await tab.goto(url, { waitUntil: 'commit' });
    await tab.waitForFunction(() => window.tagward && !Array.isArray(window.tagward));
    expect(h.fromPage(url)).toHaveLength(0);
    await tab.goto('about:blank');
    const [p] = await beacons(h.server, url, 1);
    expect(p!.timing.nav).toBe(0);
    // The first byte had arrived: the beacon can still tell how old the page's token must be.
    expect(p!.timing.ttfb).toBeGreaterThan(0);
    expect(h.fromPage(url)[0]!.headers['sec-fetch-mode']).toBe('no-cors');
  });

  test('with more than 10 beacons waiting sends only the 10 newest', async () => {
    const url = h.page('bounded', goodPage({ tagward: h.server.tagward }));
    h.server.answer = (c, index) =>
      c.headers['sec-fetch-mode'] === 'cors'
        ? { status: 503, headers: { 'retry-after': '60' } }
        : accept(c, index);
    const { page: tab } = await visit(h.clocked, url);
    const calls = async () => (await sent(tab)).length;
    await advanceUntil(tab, async () => (await calls()) >= 1, 'the first view');
    await tab.evaluate(() => {
      for (let i = 0; i < 12; i++) (window.tagward as { push(c: unknown): void }).push(['page']);
    });
    await advanceUntil(tab, async () => (await calls()) >= 13, '13 views');
    await beacons(h.server, url, 13);
    // The script's pagehide listener, which a real departure runs (the tests above leave for
    // real); dispatched here so that the page can still be asked what it sent: the flush is
    // synchronous, so the record is complete when dispatchEvent returns. Then every retry timer
    // is run out: the flushed beacons must not come back.
    await tab.evaluate(() => dispatchEvent(new PageTransitionEvent('pagehide')));
    await runOutTimers(tab);
    const flushed = (await sent(tab)).filter((c) => c.via === 'sendBeacon').map((c) => c.seq);
    expect(flushed).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await calls()).toBe(23);
    await waitFor(() => h.fromPage(url).length >= 23, 10_000, 'the flushed beacons');
    const arrived = h.fromPage(url).filter((c) => c.headers['sec-fetch-mode'] === 'no-cors');
    expect(arrived.map((c) => (c.body as { seq: number }).seq).sort((x, y) => x - y)).toEqual(
      flushed,
    );
  });
});
