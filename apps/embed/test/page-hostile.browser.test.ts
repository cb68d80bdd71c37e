// How the script lives in a hostile or unusual host page, in real Chromium: a strict CSP, a page
// whose own scripts throw, a page that queues commands, loads the snippet twice or owns the name.
import { describe, expect, test } from 'vitest';
import { advanceUntil, runOutTimers } from './helpers/clock.js';
import { pageHarness } from './helpers/page-harness.js';
import { beacons, events, recorder, visit } from './helpers/visit.js';
import { ATTEST_MODULE, GOOD_BODY, GOOD_HEAD, goodPage, snippet } from './fixtures.js';

const h = pageHarness();

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
    const url = h.page('csp', html(h.server.tagward), {
      'content-security-policy': csp(h.server.tagward),
    });
    const { page: tab, pageErrors } = await visit(h.browser, url);
    const [p] = await beacons(h.server, url, 1);
    expect(p!.checks.every((c) => c.pass)).toBe(true);
    await events(tab, 1);
    expect((await recorder(tab)).violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test('lets the attestation module load under strict-dynamic', async () => {
    h.server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = h.page(
      'csp-attest',
      goodPage({ tagward: h.server.tagward, attrs: `nonce="${NONCE}" data-attest="100"` }),
      {
        'content-security-policy': csp(h.server.tagward),
      },
    );
    const { page: tab } = await visit(h.browser, url);
    const [p] = await beacons(h.server, url, 1);
    expect(p).toMatchObject({ cohort: true, att: `att:${p!.id}` });
    expect((await recorder(tab)).violations).toEqual([]);
  });

  test('with Trusted Types enforced still sends the view, without the attestation module', async () => {
    h.server.scripts.set('/attest-v1.js', ATTEST_MODULE);
    const url = h.page(
      'csp-tt',
      goodPage({ tagward: h.server.tagward, attrs: `nonce="${NONCE}" data-attest="100"` }),
      { 'content-security-policy': `${csp(h.server.tagward)}; require-trusted-types-for 'script'` },
    );
    const { pageErrors } = await visit(h.browser, url);
    const [p] = await beacons(h.server, url, 1);
    expect(p!.cohort).toBe(true);
    expect(p!.att).toBeUndefined();
    expect(p!.errors).toEqual([expect.stringMatching(/TrustedScriptURL/)]);
    expect(h.server.requests).not.toContain('/attest-v1.js');
    expect(pageErrors).toEqual([]);
  });

  test('that blocks the beacon costs the page nothing but the violation reports', async () => {
    const url = h.page(
      'csp-blocked',
      goodPage({ tagward: h.server.tagward, attrs: `nonce="${NONCE}"` }),
      {
        'content-security-policy': csp(h.server.tagward).replace(
          `connect-src ${h.server.tagward}`,
          "connect-src 'none'",
        ),
      },
    );
    const { page: tab, pageErrors } = await visit(h.clocked, url);
    // The script announces the end of each beacon: -1 once every retry failed on the network.
    await advanceUntil(tab, async () => (await recorder(tab)).events.length > 0, 'the give-up');
    await runOutTimers(tab);
    const { events: settled, sent: calls, violations } = await recorder(tab);
    expect(settled).toEqual([expect.objectContaining({ seq: 0, status: -1 })]);
    expect(calls.map((c) => c.via)).toEqual(['fetch', 'fetch', 'fetch', 'fetch', 'fetch']);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations.every((v) => v.startsWith('connect-src'))).toBe(true);
    expect(pageErrors).toEqual([]);
    expect(h.fromPage(url)).toEqual([]);
  });
});

describe('a page whose own scripts throw', () => {
  test('still gets its beacon, and the script adds no error of its own', async () => {
    const url = h.page(
      'throwing',
      `<!doctype html><html lang="en"><head>${GOOD_HEAD}
        <script>throw new Error('page error 1: at parse time');</script>
        <script>Promise.reject(new Error('page error 2: unhandled rejection'));</script>
        <script>addEventListener('load', function () { throw new Error('page error 3: in a load handler'); });</script>
        <script>window.fetch = function () { throw new Error('page error 4: fetch broken by the page'); };</script>
        ${snippet({ tagward: h.server.tagward })}
      </head><body>${GOOD_BODY}</body></html>`,
    );
    const { page: tab, pageErrors } = await visit(h.browser, url);
    const [first] = await beacons(h.server, url, 1);
    // fetch throws, so the beacon went by sendBeacon; the error is reported with the next one.
    expect(h.fromPage(url)[0]!.headers['sec-fetch-mode']).toBe('no-cors');
    await tab.evaluate(() => (window.tagward as { push(c: unknown): void }).push(['page']));
    const [, second] = await beacons(h.server, url, 2);
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

describe('the command queue and the one global', () => {
  test('commands queued before the script runs are applied to the first view', async () => {
    const url = h.page(
      'pre-queue',
      `<!doctype html><html lang="en"><head>${GOOD_HEAD}
        <script>window.tagward = window.tagward || []; tagward.push(['token', 'tok-queued']);</script>
        ${snippet({ tagward: h.server.tagward, attrs: 'data-token="tok-tag"' })}
      </head><body>${GOOD_BODY}</body></html>`,
    );
    await visit(h.browser, url);
    const [p] = await beacons(h.server, url, 1);
    expect(p!.token).toBe('tok-queued');
  });

  test('the page token can come from a meta tag', async () => {
    const url = h.page(
      'meta-token',
      goodPage({ tagward: h.server.tagward }, '<meta name="tagward-token" content="tok-meta">'),
    );
    await visit(h.browser, url);
    const [p] = await beacons(h.server, url, 1);
    expect(p!.token).toBe('tok-meta');
  });

  test('a second copy of the snippet sends nothing more', async () => {
    const url = h.page(
      'twice',
      goodPage({ tagward: h.server.tagward }, snippet({ tagward: h.server.tagward })),
    );
    const { page: tab } = await visit(h.clocked, url);
    await h.expectBeaconCalls(tab, url, 1);
    await beacons(h.server, url, 1);
  });

  test('a page global of the same name is left alone, and the script stays silent', async () => {
    const url = h.page(
      'taken',
      `<!doctype html><html lang="en"><head>${GOOD_HEAD}
        <script>window.tagward = { mine: true };</script>${snippet({ tagward: h.server.tagward })}
      </head><body>${GOOD_BODY}</body></html>`,
    );
    const { page: tab } = await visit(h.clocked, url);
    await h.expectBeaconCalls(tab, url, 0);
    expect(h.server.requests).toContain('/v1.js');
    expect(await tab.evaluate(() => window.tagward)).toEqual({ mine: true });
  });
});
