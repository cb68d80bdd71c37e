// The script's features in a host page, in real Chromium: single-page apps, opt-out, Global
// Privacy Control and the attestation hook.
import { describe, expect, inject, test } from 'vitest';
import { readEmbedManifest } from '../src/manifest.js';
import { pageHarness } from './helpers/page-harness.js';
import { beacons, visit } from './helpers/visit.js';
import { ATTEST_MODULE, GOOD_BODY, GOOD_HEAD, goodPage, snippet } from './fixtures.js';

const h = pageHarness();

describe('a single-page app', () => {
  const spaPage = (tagward: string, file: string) =>
    `<!doctype html><html lang="en"><head>${GOOD_HEAD}${snippet({ tagward, file, attrs: 'data-token="tok-first"' })}</head><body>${GOOD_BODY}</body></html>`;

  test('with the SPA variant counts a view per path change, with its own token', async () => {
    const { spa } = readEmbedManifest(inject('embedDir'));
    const url = h.page('spa', spaPage(h.server.tagward, spa.alias));
    const { page: tab } = await visit(h.clocked, url);
    const base = new URL(url).pathname;
    await h.advanceToCalls(tab, 1);
    await tab.evaluate((b) => {
      const q = window.tagward as { push(...c: unknown[]): void };
      q.push(['token', 'tok-second']);
      document.title = 'The second route of the app';
      history.pushState({}, '', `${b}/second`);
    }, base);
    await h.advanceToCalls(tab, 2);
    // Same path, other query: not a view. Back: a view. Two quick pushes: one view, the last.
    await tab.evaluate(() => history.replaceState({}, '', `${location.pathname}?tab=2`));
    await h.expectBeaconCalls(tab, url, 2);
    await tab.evaluate(() => history.back());
    await h.advanceToCalls(tab, 3);
    await tab.evaluate((b) => {
      history.pushState({}, '', `${b}/third`);
      history.pushState({}, '', `${b}/fourth`);
    }, base);
    await h.expectBeaconCalls(tab, url, 4);
    const views = await beacons(h.server, url, 4);
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
    const url = h.page('spa-core', spaPage(h.server.tagward, 'v1.js'));
    const { page: tab } = await visit(h.clocked, url);
    await h.advanceToCalls(tab, 1);
    await tab.evaluate(() => history.pushState({}, '', `${location.pathname}/elsewhere`));
    await h.expectBeaconCalls(tab, url, 1);
    await tab.evaluate(() => (window.tagward as { push(c: unknown): void }).push(['page']));
    await h.advanceToCalls(tab, 2);
    const views = await beacons(h.server, url, 2);
    expect(views[1]).toMatchObject({ seq: 1, url: `${url}/elsewhere` });
    expect(views[1]!.token).toBeUndefined();
  });
});

describe('opt-out', () => {
  test('data-tagward-opt-out on <html> stops views, and is read again at each view', async () => {
    h.server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = h.page(
      'opt-out',
      `<!doctype html><html lang="en" data-tagward-opt-out><head>${GOOD_HEAD}${snippet({ tagward: h.server.tagward, attrs: 'data-attest="100"' })}</head><body>${GOOD_BODY}</body></html>`,
    );
    const { page: tab } = await visit(h.clocked, url);
    await h.expectBeaconCalls(tab, url, 0);
    // An opted-out visitor is never made to run the attestation module either.
    expect(h.server.requests).not.toContain('/attest-v1.js');
    // The visitor accepts later (a consent banner removes the attribute): the next view counts.
    await tab.evaluate(() => {
      document.documentElement.removeAttribute('data-tagward-opt-out');
      (window.tagward as { push(c: unknown): void }).push(['page']);
    });
    await h.advanceToCalls(tab, 1);
    const [p] = await beacons(h.server, url, 1);
    expect(p!.seq).toBe(0);
  });
});

describe('Global Privacy Control', () => {
  test('sends a reduced beacon: no query string, no referrer, never in the attestation cohort', async () => {
    h.server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = h.page('gpc', goodPage({ tagward: h.server.tagward, attrs: 'data-attest="100"' }));
    await visit(h.browser, `${url}?email=someone%40example.com#top`, {
      gpc: true,
      referer: `${h.server.site}/from`,
    });
    const [p] = await beacons(h.server, url, 1);
    expect(p).toMatchObject({ url, ref: '' });
    expect(p!.cohort).toBeUndefined();
    expect(p!.att).toBeUndefined();
    expect(h.server.requests).not.toContain('/attest-v1.js');
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
    h.server.scripts.set('/attest-v1.js', module);
    const url = h.page(
      'attest',
      goodPage({
        tagward: h.server.tagward,
        attrs: attest === undefined ? '' : `data-attest="${attest}"`,
      }),
    );
    // On the fake clock, so that the wait for a module that never registers takes no real time
    // and its bound is checked: every view of this table leaves within 3 s (plus idle time).
    const { page: tab, pageErrors } = await visit(h.clocked, url);
    await h.advanceToCalls(tab, 1, 3500);
    const [p] = await beacons(h.server, url, 1);
    expect(p!.cohort).toBe(cohort);
    expect(p!.att).toBe(att ? `att:${p!.id}` : undefined);
    expect(h.server.requests.includes('/attest-v1.js')).toBe(loaded);
    expect(pageErrors).toEqual([]);
  });
});
