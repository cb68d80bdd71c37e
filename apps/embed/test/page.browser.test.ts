// How the script lives in a host page, in real Chromium: strict CSP, hostile pages, single-page
// apps, opt-out, Global Privacy Control, the attestation hook and the command queue.
import { afterAll, afterEach, beforeAll, describe, expect, inject, test } from 'vitest';
import { readEmbedManifest } from '../src/manifest.js';
import { launchChromium, type Browser } from './helpers/browser.js';
import { advanceUntil, launchWithFakeClock, runOutTimers } from './helpers/clock.js';
import { startFixtureServer, type FixtureServer } from './helpers/server.js';
import { beacons, events, recorder, sent, settled, uniquePath, visit } from './helpers/visit.js';
import { GOOD_BODY, GOOD_HEAD, goodPage, snippet } from './fixtures.js';

let browser: Browser;
/** For the tests that something does not happen: see helpers/clock.ts. */
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
  server.pages.clear();
  server.scripts.clear();
  server.requests.length = 0;
});

/** Serves a page at a fresh path and returns its URL. */
function page(name: string, html: string, headers?: Record<string, string>): string {
  const path = uniquePath(name);
  server.pages.set(path, { html, ...(headers ? { headers } : {}) });
  return server.site + path;
}

const fromPage = (url: string) =>
  server.beacons.filter((c) => (c.body as { url?: string })?.url?.startsWith(url));

type Tab = Awaited<ReturnType<typeof visit>>['page'];

/**
 * On the fake clock: after load (async scripts have run by then), every timer the script could
 * have set is run out; then the page must have made exactly `count` beacon calls.
 */
async function expectBeaconCalls(tab: Tab, url: string, count: number) {
  await tab.waitForLoadState('load');
  await runOutTimers(tab);
  // Answers come in real time and may set retry timers: let every call settle, run out again.
  await settled(tab);
  await runOutTimers(tab);
  expect(await sent(tab)).toHaveLength(count);
  expect(fromPage(url).length).toBeLessThanOrEqual(count);
}

/** On the fake clock: advances time until the page has made `count` beacon calls. */
const advanceToCalls = (tab: Tab, count: number) =>
  advanceUntil(tab, async () => (await sent(tab)).length >= count, `${count} beacon call(s)`);

/** The stand-in attestation module: registers a provider that stamps each payload. */
const ATTEST_MODULE = `(window.tagward = window.tagward || []).push(['attest', function (p) { p.att = 'att:' + p.id; }]);`;

describe('a strict Content-Security-Policy', () => {
  const NONCE = 'r4nd0mN0nce';
  const csp = (tagward: string) =>
    `default-src 'none'; script-src 'nonce-${NONCE}' 'strict-dynamic'; connect-src ${tagward}; img-src data:; base-uri 'none'; object-src 'none'`;

  test.each([
    {
      name: 'runs the script from a nonced tag',
      html: (t: string) => goodPage({ tagward: t, attrs: `nonce="${NONCE}"` }),
    },
    {
      name: 'runs the script inserted by a nonced loader (strict-dynamic)',
      html: (t: string) =>
        `<!doctype html><html lang="en"><head>${GOOD_HEAD}<script nonce="${NONCE}">
          var s = document.createElement('script');
          s.src = '${t}/v1.js'; s.async = true; s.dataset.site = 'pk_test_FixtureKey0123456789ab';
          document.head.appendChild(s);
        </script></head><body>${GOOD_BODY}</body></html>`,
    },
  ])('$name without a single violation', async ({ html }) => {
    const url = page('csp', html(server.tagward), {
      'content-security-policy': csp(server.tagward),
    });
    const { page: tab, pageErrors } = await visit(browser, url);
    const [p] = await beacons(server, url, 1);
    expect(p!.checks.every((c) => c.pass)).toBe(true);
    await events(tab, 1);
    expect((await recorder(tab)).violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test('lets the attestation module load under strict-dynamic', async () => {
    server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = page(
      'csp-attest',
      goodPage({ tagward: server.tagward, attrs: `nonce="${NONCE}" data-attest="100"` }),
      {
        'content-security-policy': csp(server.tagward),
      },
    );
    const { page: tab } = await visit(browser, url);
    const [p] = await beacons(server, url, 1);
    expect(p).toMatchObject({ cohort: true, att: `att:${p!.id}` });
    expect((await recorder(tab)).violations).toEqual([]);
  });

  test('with Trusted Types enforced still sends the view, without the attestation module', async () => {
    server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = page(
      'csp-tt',
      goodPage({ tagward: server.tagward, attrs: `nonce="${NONCE}" data-attest="100"` }),
      { 'content-security-policy': `${csp(server.tagward)}; require-trusted-types-for 'script'` },
    );
    const { pageErrors } = await visit(browser, url);
    const [p] = await beacons(server, url, 1);
    expect(p!.cohort).toBe(true);
    expect(p!.att).toBeUndefined();
    expect(p!.errors).toEqual([expect.stringMatching(/TrustedScriptURL/)]);
    expect(server.requests).not.toContain('/attest-v1.js');
    expect(pageErrors).toEqual([]);
  });

  test('that blocks the beacon costs the page nothing but the violation reports', async () => {
    const url = page(
      'csp-blocked',
      goodPage({ tagward: server.tagward, attrs: `nonce="${NONCE}"` }),
      {
        'content-security-policy': csp(server.tagward).replace(
          `connect-src ${server.tagward}`,
          "connect-src 'none'",
        ),
      },
    );
    const { page: tab, pageErrors } = await visit(clocked, url);
    // The script announces the end of each beacon: -1 once every retry failed on the network.
    await advanceUntil(tab, async () => (await recorder(tab)).events.length > 0, 'the give-up');
    await runOutTimers(tab);
    const { events: settled, sent: calls, violations } = await recorder(tab);
    expect(settled).toEqual([expect.objectContaining({ seq: 0, status: -1 })]);
    expect(calls.map((c) => c.via)).toEqual(['fetch', 'fetch', 'fetch', 'fetch', 'fetch']);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => v.startsWith('connect-src'))).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(fromPage(url)).toEqual([]);
  });
});

describe('a page whose own scripts throw', () => {
  test('still gets its beacon, and the script adds no error of its own', async () => {
    const url = page(
      'throwing',
      `<!doctype html><html lang="en"><head>${GOOD_HEAD}
        <script>throw new Error('page error 1: at parse time');</script>
        <script>Promise.reject(new Error('page error 2: unhandled rejection'));</script>
        <script>addEventListener('load', function () { throw new Error('page error 3: in a load handler'); });</script>
        <script>window.fetch = function () { throw new Error('page error 4: fetch broken by the page'); };</script>
        ${snippet({ tagward: server.tagward })}
      </head><body>${GOOD_BODY}</body></html>`,
    );
    const { page: tab, pageErrors } = await visit(browser, url);
    const [first] = await beacons(server, url, 1);
    // fetch throws, so the beacon went by sendBeacon; the error is reported with the next one.
    expect(fromPage(url)[0]!.headers['sec-fetch-mode']).toBe('no-cors');
    await tab.evaluate(() => (window.tagward as { push(c: unknown): void }).push(['page']));
    const [, second] = await beacons(server, url, 2);
    expect(first!.errors).toEqual([]);
    expect(second!.errors).toEqual(['Error: page error 4: fetch broken by the page']);
    await events(tab, 2);
    expect(pageErrors.map((e) => e.message).sort()).toEqual([
      'page error 1: at parse time',
      'page error 2: unhandled rejection',
      'page error 3: in a load handler',
    ]);
  });
});

describe('a single-page app', () => {
  const spaPage = (tagward: string, file: string) =>
    `<!doctype html><html lang="en"><head>${GOOD_HEAD}${snippet({ tagward, file, attrs: 'data-token="tok-first"' })}</head><body>${GOOD_BODY}</body></html>`;

  test('with the SPA variant counts a view per path change, with its own token', async () => {
    const { spa } = readEmbedManifest(inject('embedDir'));
    const url = page('spa', spaPage(server.tagward, spa.alias));
    const { page: tab } = await visit(clocked, url);
    const base = new URL(url).pathname;
    await advanceToCalls(tab, 1);
    await tab.evaluate((b) => {
      const q = window.tagward as { push(...c: unknown[]): void };
      q.push(['token', 'tok-second']);
      document.title = 'The second route of the app';
      history.pushState({}, '', `${b}/second`);
    }, base);
    await advanceToCalls(tab, 2);
    // Same path, other query: not a view. Back: a view. Two quick pushes: one view, the last.
    await tab.evaluate(() => history.replaceState({}, '', `${location.pathname}?tab=2`));
    await expectBeaconCalls(tab, url, 2);
    await tab.evaluate(() => history.back());
    await advanceToCalls(tab, 3);
    await tab.evaluate((b) => {
      history.pushState({}, '', `${b}/third`);
      history.pushState({}, '', `${b}/fourth`);
    }, base);
    await expectBeaconCalls(tab, url, 4);
    const views = await beacons(server, url, 4);
    expect(views.map((v) => [v.seq, new URL(v.url).pathname, v.token])).toEqual([
      [0, base, 'tok-first'],
      [1, `${base}/second`, 'tok-second'],
      [2, base, undefined],
      [3, `${base}/fourth`, undefined],
    ]);
    expect(views[1]!.checks.find((c) => c.id === 'title_length')).toMatchObject({ value: 27 });
    expect(new Set(views.map((v) => v.id)).size).toBe(4);
  });

  test('with the core script counts history navigations only when told to', async () => {
    const url = page('spa-core', spaPage(server.tagward, 'v1.js'));
    const { page: tab } = await visit(clocked, url);
    await advanceToCalls(tab, 1);
    await tab.evaluate(() => history.pushState({}, '', `${location.pathname}/elsewhere`));
    await expectBeaconCalls(tab, url, 1);
    await tab.evaluate(() => (window.tagward as { push(c: unknown): void }).push(['page']));
    await advanceToCalls(tab, 2);
    const views = await beacons(server, url, 2);
    expect(views[1]).toMatchObject({ seq: 1, url: `${url}/elsewhere` });
    expect(views[1]!.token).toBeUndefined();
  });
});

describe('opt-out', () => {
  test('data-tagward-opt-out on <html> stops views, and is read again at each view', async () => {
    server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = page(
      'opt-out',
      `<!doctype html><html lang="en" data-tagward-opt-out><head>${GOOD_HEAD}${snippet({ tagward: server.tagward, attrs: 'data-attest="100"' })}</head><body>${GOOD_BODY}</body></html>`,
    );
    const { page: tab } = await visit(clocked, url);
    await expectBeaconCalls(tab, url, 0);
    // An opted-out visitor is never made to run the attestation module either.
    expect(server.requests).not.toContain('/attest-v1.js');
    // The visitor accepts later (a consent banner removes the attribute): the next view counts.
    await tab.evaluate(() => {
      document.documentElement.removeAttribute('data-tagward-opt-out');
      (window.tagward as { push(c: unknown): void }).push(['page']);
    });
    await advanceToCalls(tab, 1);
    const [p] = await beacons(server, url, 1);
    expect(p!.seq).toBe(0);
  });
});

describe('Global Privacy Control', () => {
  test('sends a reduced beacon: no query string, no referrer, never in the attestation cohort', async () => {
    server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = page('gpc', goodPage({ tagward: server.tagward, attrs: 'data-attest="100"' }));
    await visit(browser, `${url}?email=someone%40example.com#top`, {
      gpc: true,
      referer: `${server.site}/from`,
    });
    const [p] = await beacons(server, url, 1);
    expect(p).toMatchObject({ url, ref: '' });
    expect(p!.cohort).toBeUndefined();
    expect(p!.att).toBeUndefined();
    expect(server.requests).not.toContain('/attest-v1.js');
  });
});

describe('the attestation hook', () => {
  test.each([
    {
      name: 'a page view drawn into the cohort carries a token',
      attest: '100',
      module: ATTEST_MODULE,
      cohort: true,
      att: true,
      loaded: true,
    },
    {
      name: 'a page view outside the cohort does not load the module',
      attest: '0',
      module: ATTEST_MODULE,
      cohort: false,
      att: false,
      loaded: false,
    },
    {
      name: 'a site without the experiment sends no cohort at all',
      attest: undefined,
      module: ATTEST_MODULE,
      cohort: undefined,
      att: false,
      loaded: false,
    },
    {
      name: 'a provider that throws costs the token, not the beacon',
      attest: '100',
      module: `(window.tagward = window.tagward || []).push(['attest', function () { throw new Error('no token today'); }]);`,
      cohort: true,
      att: false,
      loaded: true,
    },
    {
      name: 'a module that never registers delays the view by 3 s at most',
      attest: '100',
      module: '/* nothing */',
      cohort: true,
      att: false,
      loaded: true,
    },
  ])('$name', async ({ attest, module, cohort, att, loaded }) => {
    server.scripts.set('/attest-v1.js', module);
    const url = page(
      'attest',
      goodPage({
        tagward: server.tagward,
        attrs: attest === undefined ? '' : `data-attest="${attest}"`,
      }),
    );
    const { pageErrors } = await visit(browser, url);
    const [p] = await beacons(server, url, 1);
    expect(p!.cohort).toBe(cohort);
    expect(p!.att).toBe(att ? `att:${p!.id}` : undefined);
    expect(server.requests.includes('/attest-v1.js')).toBe(loaded);
    expect(pageErrors).toEqual([]);
  });
});

describe('the command queue and the one global', () => {
  test('commands queued before the script runs are applied to the first view', async () => {
    const url = page(
      'pre-queue',
      `<!doctype html><html lang="en"><head>${GOOD_HEAD}
        <script>window.tagward = window.tagward || []; tagward.push(['token', 'tok-queued']);</script>
        ${snippet({ tagward: server.tagward, attrs: 'data-token="tok-tag"' })}
      </head><body>${GOOD_BODY}</body></html>`,
    );
    await visit(browser, url);
    const [p] = await beacons(server, url, 1);
    expect(p!.token).toBe('tok-queued');
  });

  test('the page token can come from a meta tag', async () => {
    const url = page(
      'meta-token',
      goodPage({ tagward: server.tagward }, '<meta name="tagward-token" content="tok-meta">'),
    );
    await visit(browser, url);
    const [p] = await beacons(server, url, 1);
    expect(p!.token).toBe('tok-meta');
  });

  test('a second copy of the snippet sends nothing more', async () => {
    const url = page(
      'twice',
      goodPage({ tagward: server.tagward }, snippet({ tagward: server.tagward })),
    );
    const { page: tab } = await visit(clocked, url);
    await expectBeaconCalls(tab, url, 1);
    await beacons(server, url, 1);
  });

  test('a page global of the same name is left alone, and the script stays silent', async () => {
    const url = page(
      'taken',
      `<!doctype html><html lang="en"><head>${GOOD_HEAD}
        <script>window.tagward = { mine: true };</script>${snippet({ tagward: server.tagward })}
      </head><body>${GOOD_BODY}</body></html>`,
    );
    const { page: tab } = await visit(clocked, url);
    await expectBeaconCalls(tab, url, 0);
    expect(server.requests).toContain('/v1.js');
    expect(await tab.evaluate(() => window.tagward)).toEqual({ mine: true });
  });
});
