// What bench:embed measures with: the trace reduction, and the visitor browser (nothing attached
// to its pages) with the CDN's caching, in real Chromium.
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readEmbedManifest } from '../src/manifest.js';
import { analyse, openTab, tracedLoad, type TraceEvent } from '../bench/trace.js';
import { launchVisitorBrowser, type VisitorBrowser } from '../bench/visitor-browser.js';
import { startFixtureServer, type FixtureServer } from './helpers/server.js';
import { goodPage } from './fixtures.js';

const URL_OURS = 'http://localhost:1/tagward.0123456789.js';
const main = (pid: number, tid: number): TraceEvent => ({
  name: 'thread_name',
  ph: 'M',
  pid,
  tid,
  ts: 0,
  args: { name: 'CrRendererMain' },
});
const slice = (name: string, ts: number, dur: number, url?: string, pid = 1): TraceEvent => ({
  name,
  ph: 'X',
  pid,
  tid: 1,
  ts,
  dur,
  tdur: dur / 2,
  ...(url ? { args: { data: { url } } } : {}),
});

describe('analyse', () => {
  test('adds up the script’s slices on the page’s main thread, nested ones once', () => {
    const cost = analyse(
      [
        main(1, 1),
        main(2, 1),
        slice('RunTask', 0, 10_000),
        slice('EvaluateScript', 1000, 2000, URL_OURS),
        slice('FunctionCall', 1500, 500, URL_OURS), // nested in the evaluation
        slice('FunctionCall', 5000, 1000, URL_OURS),
        slice('FunctionCall', 7000, 3000, 'http://127.0.0.1:1/site.js'),
        slice('FunctionCall', 7000, 3000, URL_OURS, 2), // another renderer
      ],
      URL_OURS,
    );
    // The other renderer's main thread has a slice of the script too, but the page is renderer 1.
    expect(cost).toEqual({ script: 3, cpu: 1.5, evaluate: 2, callbacks: 1.5, page: 10 });
  });

  test('leaves out the previous page’s listeners, which run before the new page evaluates the script', () => {
    const cost = analyse(
      [
        main(1, 1),
        slice('FunctionCall', 100, 800, URL_OURS), // pagehide of the page left
        slice('EvaluateScript', 2000, 1000, URL_OURS),
        slice('FunctionCall', 4000, 500, URL_OURS),
      ],
      URL_OURS,
    );
    expect(cost.script).toBe(1.5);
    expect(cost.callbacks).toBe(0.5);
  });
});

describe('the visitor browser', () => {
  let browser: VisitorBrowser;
  let server: FixtureServer;
  let file: string;

  beforeAll(async () => {
    const dir = inject('embedDir');
    file = readEmbedManifest(dir).file;
    server = await startFixtureServer(dir, { cdnCache: true });
    browser = await launchVisitorBrowser();
    server.pages.set('/page', { html: goodPage({ tagward: server.tagward, file }) });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('traces page views in one tab, the script served once and then from the cache', async () => {
    const tab = await openTab(browser);
    const scriptUrl = `${server.tagward}/${file}`;
    server.requests.length = 0;
    const first = await tracedLoad(browser, server, '/page?n=1', scriptUrl, { tab });
    const second = await tracedLoad(browser, server, '/page?n=2', scriptUrl, { tab });
    for (const load of [first, second]) {
      expect(load.beacon).toBe(true);
      expect(load.evaluate).toBeGreaterThan(0);
      expect(load.callbacks).toBeGreaterThan(0);
      expect(load.script).toBeLessThanOrEqual(load.page);
    }
    // Immutable for a year: the second view did not ask for the script again.
    expect(server.requests.filter((p) => p === `/${file}`)).toHaveLength(1);
    expect(server.requests.filter((p) => p === '/v1/collect')).toHaveLength(2);
  });

  test('a first view in a new tab loads a script URL never seen before', async () => {
    server.requests.length = 0;
    const fresh = `${file}?first=1`;
    server.pages.set('/first', { html: goodPage({ tagward: server.tagward, file: fresh }) });
    const load = await tracedLoad(browser, server, '/first', `${server.tagward}/${fresh}`);
    expect(load.beacon).toBe(true);
    expect(load.evaluate).toBeGreaterThan(0);
    expect(server.requests).toContain(`/${file}`);
  });
});
