/**
 * A small, fast subset of bench:adversary (e2e/bench/adversary) against the whole system: real
 * Chromium visitors, each behind a relay of its own (its own loopback address), and forgeries
 * made from what those visitors really sent. The full corpus, with its class × verdict table, is
 * `npm run bench:adversary`.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromiumBrowser, type LaunchedBrowser } from '@tagward/chromium';
import { embedId, forgeBeacon, openSocket, rawPost, scrapeToken, withHeader, type Captured } from '../bench/adversary/forge.js';
import { LEGIT_CLASSES, runVisitor } from '../bench/adversary/legit.js';
import { freshAddress, freshNetwork, type BeaconLogEntry } from '../bench/adversary/relay.js';
import { logIn, pageViewsCounted, useSystem, waitFor } from '../src/system.js';

const system = useSystem('adversary');
let chromium: LaunchedBrowser;
/** Headless Chromium with the user agent headful Chromium sends, so automation is not what is judged. */
let userAgent: string;
const log: BeaconLogEntry[] = [];

beforeAll(async () => {
  chromium = await launchChromiumBrowser({ headless: true });
  const major = chromium.browser.version().split('.')[0];
  userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
});
afterAll(async () => {
  await chromium?.close();
});

const visitor = (name: string) => ({ ...LEGIT_CLASSES.find((c) => c.name === name)!, userAgent });
const stored = (id: string) => waitFor(() => system.db.models.Event.findOne({ eventId: id }).lean());
const beaconPort = () => Number(new URL(system.stack.urls.beacon).port);
const sitePort = () => Number(new URL(system.stack.urls.site).port);

test('a visitor who leaves a page before its load event is trusted, and counted as a page view', async () => {
  await runVisitor({ browser: chromium.browser, siteUrl: system.stack.urls.site, log }, visitor('bounce'));
  const beacon = log.find((e) => e.label === 'bounce' && e.status === 200);
  expect(beacon).toBeDefined();
  const event = await stored(beacon!.id!);
  // Navigation Timing: loadEventEnd is 0 while the load is pending.
  expect((event.signals as { timing: { nav: number } }).timing.nav).toBe(0);
  expect(event.reasons.map((r) => r.code)).not.toContain('timing_zero');
  expect(event.verdict).toBe('trusted');

  const page = await system.browser.context.newPage();
  await page.goto(system.stack.urls.dashboard);
  await logIn(page, system.stack.login);
  await page.getByRole('link', { name: 'Demo shop' }).click();
  await expect.poll(() => pageViewsCounted(page), { timeout: 20_000 }).toBe(1);
  await page.close();
});

test('a single-page app on a site that requires tokens: every soft navigation is trusted; a captured soft-navigation token sent again as seq 0 with a new id is page_token_replayed', async () => {
  await runVisitor({ browser: chromium.browser, siteUrl: system.stack.urls.site, log }, visitor('spa_tokens_required'));
  const views = log.filter((e) => e.label === 'spa_tokens_required' && e.status === 200);
  expect(views.map((v) => v.seq)).toEqual([0, 1, 2, 3, 4]);
  expect(views.every((v) => v.hasToken)).toBe(true);
  const events = await Promise.all(views.map((v) => stored(v.id!)));
  expect(events.map((e) => e.verdict)).toEqual(['trusted', 'trusted', 'trusted', 'trusted', 'trusted']);

  const soft = views.find((v) => v.seq === 2)!;
  const replay = { ...(JSON.parse(soft.body) as Record<string, unknown>), id: embedId(), seq: 0 };
  expect(await rawPost(beaconPort(), '/v1/collect', soft.rawHeaders, JSON.stringify(replay))).toBe(200);
  const replayed = await stored(replay.id);
  expect(replayed.reasons.map((r) => r.code)).toContain('page_token_replayed');
  expect(replayed.verdict).toBe('fraud');
});

test('forgeries with a real Chromium header block: a burst, a burst over one network, a 700 ms timer, a fast token farm, a day-long load time', async () => {
  const real = log.find((e) => e.label === 'bounce' && e.status === 200)!;
  const captured: Captured = { rawHeaders: real.rawHeaders, payload: JSON.parse(real.body) as Captured['payload'] };

  // Exact copies without the page's token (which would give them away as replays at once) and
  // with headful Chromium's user agent (these visitors are headless), so that the first of each
  // pattern arrive trusted, as the level-1 residual does.
  const tokenless: Captured = {
    rawHeaders: withHeader(captured.rawHeaders, 'User-Agent', userAgent),
    payload: { ...captured.payload, token: undefined, att: undefined, cohort: undefined },
  };
  const address = freshAddress();
  const burst: Array<Awaited<ReturnType<typeof forgeBeacon>>> = [];
  for (let i = 0; i < 30; i += 6) burst.push(...(await Promise.all(Array.from({ length: 6 }, () => forgeBeacon(beaconPort(), tokenless, { address })))));
  await Promise.all(burst.map((b) => stored(b.id!)));
  // Judged on every earlier arrival; the first few, trusted at arrival, are revised in hindsight
  // once the burst shows (a few milliseconds after their answers).
  const trustedOf = async (ids: string[]) => (await system.db.models.Event.find({ eventId: { $in: ids }, verdict: 'trusted' }).lean()).length;
  await expect.poll(() => trustedOf(burst.map((b) => b.id!)), { timeout: 10_000 }).toBe(0);
  expect(await system.db.models.Event.countDocuments({ eventId: { $in: burst.map((b) => b.id!) }, revision: { $exists: true } })).toBeGreaterThan(0);

  // The same burst from 40 addresses of one network, one beacon each, over connections opened
  // beforehand so that they arrive within the same second however loaded the machine: flagged
  // from the 21st, the first twenty in hindsight.
  freshNetwork();
  const spreadSockets = Array.from({ length: 40 }, () => openSocket(beaconPort(), freshAddress()));
  await Promise.all(spreadSockets.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
  const spread = await Promise.all(spreadSockets.map((socket) => forgeBeacon(beaconPort(), tokenless, { socket })));
  await Promise.all(spread.map((b) => stored(b.id!)));
  await expect.poll(() => trustedOf(spread.map((b) => b.id!)), { timeout: 10_000 }).toBe(0);
  const spreadStored = await system.db.models.Event.find({ eventId: { $in: spread.map((b) => b.id!) } }).lean();
  expect(spreadStored.filter((e) => e.reasons.some((r) => r.code === 'cadence_network_burst'))).toHaveLength(40);
  freshNetwork();

  // A timer: one beacon every 700 ms. The fifth shows it; the first four are revised.
  // A timer fires on its own schedule, whatever its last send cost: each beacon leaves at
  // start + i × 700 ms over a connection opened beforehand (sleeping 700 ms after each answer
  // added the machine's latency to every interval, and on a loaded run they stopped being regular).
  const timerAddress = freshAddress();
  const sockets = Array.from({ length: 6 }, () => openSocket(beaconPort(), timerAddress));
  await Promise.all(sockets.map((socket) => new Promise((resolve) => socket.once('connect', resolve))));
  const startAt = Date.now() + 100;
  const sends: Array<ReturnType<typeof forgeBeacon>> = [];
  for (const [i, socket] of sockets.entries()) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt + i * 700 - Date.now())));
    sends.push(forgeBeacon(beaconPort(), tokenless, { address: timerAddress, socket }));
  }
  const timer = (await Promise.all(sends)).map((sent) => sent.id!);
  await Promise.all(timer.map((id) => stored(id)));
  await expect.poll(() => trustedOf(timer), { timeout: 10_000 }).toBe(0);
  const first = (await stored(timer[0]!)) as { revision?: { by: string } };
  expect(first.revision?.by).toBe(timer[4]);

  const farmed = [];
  for (let i = 0; i < 3; i++) {
    const from = freshAddress();
    const socket = openSocket(beaconPort(), from);
    const token = await scrapeToken(sitePort(), 'localhost', '/', from);
    const sent = await forgeBeacon(beaconPort(), captured, { address: from, socket, payload: { token, url: `${system.stack.urls.site}/` } });
    farmed.push(await stored(sent.id!));
  }
  const young = farmed.filter((e) => e.reasons.some((r) => r.code === 'token_too_young'));
  expect(young.length).toBeGreaterThan(0);
  // A valid token used faster than a browser can is not trusted on its own.
  expect(young.every((e) => e.verdict !== 'trusted' && e.tokenValid)).toBe(true);

  const absurd = await forgeBeacon(beaconPort(), captured, { payload: { timing: { nav: 86_400_000, start: 86_400_000, checks: 0, send: 86_400_000 } } });
  expect((await stored(absurd.id!)).verdict).not.toBe('trusted');
});
