// Legitimate visitors, all real Chromium (headful under Xvfb when there is one): each visitor is a
// browser context with its own relay (its own address), and behaves as one class of real traffic.
import { devices, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startRelay, type BeaconLogEntry } from './relay.js';

export interface VisitContext {
  browser: Browser;
  siteUrl: string;
  log: BeaconLogEntry[];
}

type Visit = (page: Page, site: string) => Promise<void>;

/**
 * A person's pause: at least `minMs`, usually near the middle of the range, sometimes much longer
 * (an exponential tail), as reading times are; never a fixed or uniform step, which is a timer.
 */
const pause = (minMs: number, maxMs: number) => {
  const tail = -Math.log(1 - Math.random()) * ((maxMs - minMs) / 2);
  return new Promise((r) => setTimeout(r, minMs + Math.min(tail, 3 * (maxMs - minMs))));
};

/** Waits until the page's embed has handed its last view to the network (the page logs it). */
async function settled(page: Page, views: number): Promise<void> {
  await page
    .waitForFunction((n) => (window as unknown as { __beacons?: number }).__beacons! >= n, views, { timeout: 15_000 })
    .catch(() => undefined);
}

async function countBeacons(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __beacons: number };
    w.__beacons = 0;
    document.addEventListener('tagward:beacon', () => (w.__beacons += 1));
  });
}

async function clickTo(page: Page, href: string): Promise<void> {
  const arrived = (timeout: number) =>
    page.waitForFunction((path) => location.pathname === path && document.readyState === 'complete', href, { timeout });
  await page.click(`a[href="${href}"]`);
  // A click that lands while the page is still busy is sometimes lost; a person clicks again.
  const ok = await arrived(8000).then(() => true, () => false);
  if (!ok) {
    await page.click(`a[href="${href}"]`);
    await arrived(30_000);
  }
}

/** Reads a page or two, following links, with human pauses. */
const reader =
  (paths: string[], minMs: number, maxMs: number): Visit =>
  async (page, site) => {
    await page.goto(site + paths[0]!);
    await settled(page, 1);
    for (const href of paths.slice(1)) {
      await pause(minMs, maxMs);
      await page.mouse.wheel(0, 400);
      await clickTo(page, href);
      await settled(page, 1);
    }
    await pause(minMs / 2, maxMs / 2);
  };

/**
 * Opens every link of the home page in a background tab (Ctrl+click, a few hundred ms apart), then
 * reads the tabs one by one: several page views of one visitor within a second or two.
 */
const tabOpener: Visit = async (page, site) => {
  await page.goto(site + '/');
  await settled(page, 1);
  await pause(1000, 3000);
  const tabs: Page[] = [];
  for (const href of ['/products/widget', '/blog/hello', '/about']) {
    const opened = page.context().waitForEvent('page');
    await page.click(`a[href="${href}"]`, { modifiers: ['Control'] });
    tabs.push(await opened);
    await pause(150, 350);
  }
  for (const tab of tabs) {
    await tab.bringToFront();
    await settled(tab, 1);
    await pause(1500, 4000);
    await tab.close({ runBeforeUnload: true });
  }
};

/** Opens the heavy gallery and leaves after about a second, before its load event. */
const bounce: Visit = async (page, site) => {
  await page.goto(site + '/gallery', { waitUntil: 'domcontentloaded' });
  await pause(700, 1300);
  await page.goto('about:blank');
  await pause(300, 600);
};

/** Loads the same path again after a pause (typed in, or reloaded). */
const revisit =
  (path: string): Visit =>
  async (page, site) => {
    await page.goto(site + path);
    await settled(page, 1);
    await pause(2000, 5000);
    await page.reload();
    await settled(page, 1);
    await pause(500, 1000);
  };

/** The single-page app: soft navigations through its router, and one Back (popstate). */
const spa: Visit = async (page, site) => {
  await page.goto(site + '/app/');
  await settled(page, 1);
  let views = 1;
  for (const href of ['/app/pricing', '/app/docs', '/app/account']) {
    await pause(1500, 4000);
    await page.click(`a[href="${href}"]`);
    await settled(page, ++views);
  }
  await pause(1500, 3000);
  await page.goBack();
  await settled(page, views + 1);
  await pause(800, 1500);
};

/** Full page loads on the site that requires tokens (each load is a view with seq 0). */
const requiredSite: Visit = async (page, site) => {
  await page.goto(site + '/app/pricing');
  await settled(page, 1);
  await pause(2000, 5000);
  await page.goto(site + '/app/docs');
  await settled(page, 1);
  await pause(500, 1000);
};

export interface LegitClass {
  name: string;
  visit: Visit;
  mobile?: boolean;
  /** A user agent of the context's own (the forged classes rewrite headless Chromium's). */
  userAgent?: string;
  /** Visitors of this class in one run of the bench (times BENCH_ADVERSARY_SCALE). */
  visitors: number;
}

export const LEGIT_CLASSES: LegitClass[] = [
  { name: 'desktop', visit: reader(['/', '/products/widget', '/'], 2000, 6000), visitors: 20 },
  { name: 'mobile', visit: reader(['/', '/products/widget', '/'], 2000, 6000), mobile: true, visitors: 20 },
  { name: 'no_token_page', visit: revisit('/about'), visitors: 25 },
  { name: 'no_referrer_policy', visit: revisit('/account'), visitors: 25 },
  { name: 'bounce', visit: bounce, visitors: 60 },
  { name: 'slow_reader', visit: reader(['/products/widget', '/', '/blog/hello'], 15_000, 30_000), visitors: 10 },
  { name: 'spa_tokens_required', visit: spa, visitors: 20 },
  { name: 'tokens_required_mpa', visit: requiredSite, visitors: 25 },
  { name: 'tab_opener', visit: tabOpener, visitors: 15 },
];

/**
 * Chrome on Android as a phone sends it: the reduced user agent and client hints that agree with
 * it (DevTools' device mode sets both; a user agent alone would leave Linux desktop hints).
 */
async function emulateAndroid(context: BrowserContext, page: Page, version: string): Promise<void> {
  const major = version.split('.')[0]!;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.setUserAgentOverride', {
    userAgent: `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Mobile Safari/537.36`,
    userAgentMetadata: {
      brands: [
        { brand: 'Not:A-Brand', version: '8' },
        { brand: 'Chromium', version: major },
      ],
      fullVersion: version,
      platform: 'Android',
      platformVersion: '10.0.0',
      architecture: '',
      model: 'K',
      mobile: true,
    },
  });
}

const { userAgent: _deviceUa, ...PHONE } = devices['Pixel 7']!;

/** One visitor of a class: its own context, relay and address; closed when done. */
export async function runVisitor(c: VisitContext, cls: Omit<LegitClass, 'visitors'>): Promise<void> {
  const relay = await startRelay(cls.name, c.log);
  const context = await c.browser.newContext({
    ...(cls.mobile ? PHONE : { viewport: { width: 1280, height: 800 } }),
    ...(cls.userAgent ? { userAgent: cls.userAgent } : {}),
    // <-loopback>: send localhost (the beacon) through the relay too, which Chromium skips by default.
    proxy: { server: relay.url, bypass: '<-loopback>' },
  });
  try {
    await countBeacons(context);
    const page = await context.newPage();
    if (cls.mobile) await emulateAndroid(context, page, c.browser.version());
    await cls.visit(page, c.siteUrl);
    await page.close({ runBeforeUnload: true });
    await pause(300, 500);
  } finally {
    await context.close();
    await relay.close();
  }
}
