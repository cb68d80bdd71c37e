// The embed script. Bundled by scripts/build.ts into one IIFE under a 2 KB gzip budget, which
// is why it is written tersely. Only TYPES come from @tagward/protocol: its zod schemas must
// never land in the bundle.
//
// Rules this file keeps (docs/embed.md explains them to clients):
// - never throw into the host page: the boot is wrapped in try, every function the browser or
//   the page can call is `safe`, every promise chain ends in handlers that cannot throw; the
//   script's own errors travel in the next beacon's `errors`;
// - one global, `window.tagward` (the command queue); nothing else is written to the page;
// - no eval, no inline code, no styles: works under `script-src 'nonce-…' 'strict-dynamic'`.
import type { CollectPayload } from '@tagward/protocol';
import type { AttestProvider, TagwardCommand } from './api.js';
import { meta, runChecks } from './checks.js';
import { d, root } from './dom.js';

/** Beacons waiting for delivery; the oldest is dropped when one more would exceed it. */
const QUEUE_MAX = 10;
/** Retries after the first attempt, while the page lives. */
const RETRIES = 4;
/** Longest wait for the attestation module before the first view goes without a token. */
const ATTEST_WAIT = 3000;
/** Soft-navigation settle time before the checks run, so that the new route has rendered. */
const SPA_DELAY = 500;

const w = window as Window & { tagward?: unknown };
const loc = location;
const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
const now = () => performance.now();
/** Timing fields: ms with one decimal (Chromium's clock resolution), at most the schema's 24 h. */
const ms = (x: number) => Math.min(864e5, Math.round(x * 10) / 10);
const on = (target: EventTarget, type: string, f: () => unknown) =>
  target.addEventListener(type, f);

try {
  const me = d.currentScript as HTMLScriptElement | null;
  const data = me?.dataset;
  const key = data?.site;
  const pre = w.tagward;
  // A second copy of the script (or a page global of the same name) leaves the page alone. A key
  // implies the script element and its dataset.
  if (key && (!pre || (pre as unknown[]).push == [].push)) {
    const errors: string[] = [];
    const report = (e: unknown) => errors.length < 5 && errors.push(('' + e).slice(0, 200));
    const safe =
      <A extends unknown[]>(f: (...a: A) => unknown) =>
      (...a: A): void => {
        try {
          f(...a);
        } catch (e) {
          report(e);
        }
      };

    // Resolving against the page makes an inlined copy (no src) use the page's own origin.
    const origin = new URL(me!.src, loc.href).origin;
    // Same path as COLLECT_PATH in @tagward/protocol (a test keeps the two equal).
    const endpoint = (__TAGWARD_ENDPOINT__ || origin) + '/v1/collect';
    const gpc = !!nav.globalPrivacyControl;
    // data-attest="<0..100>": the share of page loads drawn into the attestation cohort; absent:
    // no experiment (cohort stays undefined). GPC visitors are never drawn: the experiment runs
    // proof-of-work and token issuance on their machine, which they did not ask for.
    const share = parseFloat(data.attest!);
    const cohort = share >= 0 && !gpc ? Math.random() * 100 < share : undefined;
    let attest: AttestProvider | undefined;

    // Checked per view, so a consent banner can set or remove it at any time.
    const optedOut = () => root.hasAttribute('data-tagward-opt-out');

    /** Beacons waiting for delivery, each as its own `attempt` function, oldest first. */
    const queue = new Set<() => void>();
    let left = false;
    const hidden = () => left || d.hidden;

    const send = (p: CollectPayload) => {
      let failed = 0;
      // Serialized once: a retry is byte-for-byte the same request (same idempotency id).
      let body: string | undefined;
      // The first outcome wins: later answers for a beacon already settled change nothing. The
      // id announced is the payload's own, which the beacon stores the event under (and answers
      // with): the page has it even when sendBeacon hides the answer.
      const end: (status: number) => void = safe(
        (status: number) =>
          queue.delete(attempt) &&
          d.dispatchEvent(
            new CustomEvent('tagward:beacon', { detail: { id: p.id, seq: p.seq, status } }),
          ),
      );
      // 1–2 s, 2–4 s, 4–8 s, 8–16 s (jittered), or the server's Retry-After if longer. A timer
      // that fires after the beacon was settled (flushed, dropped) finds it gone and stops.
      const again = (status: number, after = 0): unknown =>
        ++failed > RETRIES
          ? end(status)
          : setTimeout(attempt, Math.max(after * 1e3, 500 * 2 ** failed * (1 + Math.random())));
      // Visible page: fetch(keepalive), whose answer can be read, so 429/503 can be retried.
      // Hidden page: sendBeacon, the call browsers promise to deliver after unload.
      const attempt: () => void = safe((): unknown => {
        if (!queue.has(attempt)) return;
        body ??= ((p.timing.send = ms(now())), JSON.stringify(p));
        if (!hidden())
          try {
            // A string body goes out as text/plain;charset=UTF-8: CORS-safelisted, no preflight.
            return fetch(endpoint, {
              method: 'POST',
              body,
              keepalive: true,
              credentials: 'omit',
            }).then(
              (r) => {
                const s = r.status;
                // 2xx (stored) and other 4xx are final; these are retried (none is a 2xx).
                // Retry-After is readable when the beacon lists it in Access-Control-Expose-Headers.
                if (s == 408 || s == 429 || s > 499) again(s, +r.headers.get('retry-after')! || 0);
                else end(s);
              },
              () => again(-1),
            );
          } catch (e) {
            // The page replaced fetch with something that throws: sendBeacon instead.
            report(e);
          }
        // sendBeacon says only whether the browser queued it: status 0 marks the unknown outcome.
        if (nav.sendBeacon(endpoint, body)) end(0);
        else again(-1);
      });
      if (queue.add(attempt).size > QUEUE_MAX) queue.delete(queue.values().next().value!);
      attempt();
    };

    let seq = 0;
    let path: string | undefined;
    let nextToken: string | undefined;
    /** Truthy while a view is owed (a timer id, or -1 before one is set): flush runs it. */
    let owed: ReturnType<typeof setTimeout> | number = 0;

    const view = safe(() => {
      owed = 0;
      if (__TAGWARD_SPA__) path = loc.pathname;
      if (optedOut()) return;
      const t0 = now();
      const checks = runChecks(report);
      const t1 = now();
      // Navigation Timing Level 2 (Chrome 57, Firefox 58, Safari 15); -1 where it is missing.
      const nt = performance.getEntriesByType('navigation')[0] as
        PerformanceNavigationTiming | undefined;
      const p: CollectPayload = {
        v: 1,
        key,
        // 4 × 32 random bits in decimal, joined by '_': an idempotency id of 7 to 43 characters
        // (fewer than 8 only if all four draws are below 10: probability under 2^-118).
        id: crypto.getRandomValues(new Uint32Array(4)).join('_'),
        // GPC: no query string (where personal data hides in URLs) and no referrer.
        url: (gpc ? loc.origin + loc.pathname : loc.href.split('#')[0]!).slice(0, 2048),
        ref: gpc ? '' : d.referrer.slice(0, 2048),
        // Page tokens are single use: the page's own goes with the first view only; later
        // (single-page app) views carry the one the app pushed with ['token', …], if any.
        token: nextToken || (!seq && (meta('name=tagward-token') || data.token)) || undefined,
        cohort,
        checks,
        timing: {
          nav: ms(nt?.loadEventEnd ?? -1),
          ttfb: ms(nt?.responseStart ?? -1),
          start: ms(t0),
          checks: ms(t1 - t0),
          // `send` is added when the body is first serialized (in `attempt`), last in key order.
        } as CollectPayload['timing'],
        seq: seq++,
        errors: errors.splice(0),
      };
      nextToken = undefined;
      attest?.(p);
      send(p);
    });

    // Safari has no requestIdleCallback: setTimeout reads the options object as a 0 ms delay.
    const idle = (f: () => unknown) =>
      (w.requestIdleCallback || (setTimeout as unknown as typeof requestIdleCallback))(f, {
        timeout: 2000,
      });
    const schedule = (delay: number) => {
      clearTimeout(owed);
      owed = setTimeout(idle, delay, () => owed && view());
    };
    /** The first view: after load, at idle; at most once (owed turns 0 when it runs). */
    const first = () =>
      owed && (d.readyState == 'complete' ? schedule(0) : on(w, 'load', () => schedule(0)));

    // The page is out of sight (switched away, closed, navigated away): run a view still owed
    // and hand every unsettled beacon to sendBeacon, those with a fetch in flight included; the
    // idempotency id makes the beacon store such a double delivery once. pagehide comes before
    // visibilitychange on navigation (and alone in some Safari versions), while the page still
    // reports visible: `left` makes it count as hidden. A page restored from the back/forward
    // cache turns visible again and goes back to fetch.
    const flush = safe(() => {
      if (owed) view();
      queue.forEach((attempt) => attempt());
    });
    on(d, 'visibilitychange', () => (hidden() ? flush() : (left = false)));
    on(w, 'pagehide', () => {
      left = true;
      flush();
    });

    if (__TAGWARD_SPA__) {
      // A view per path change, however the router moves: pushState, replaceState, popstate.
      // Query and hash changes are not page views (search boxes rewrite them on every key).
      const soft = safe(() => path != null && loc.pathname != path && schedule(SPA_DELAY));
      for (const m of ['pushState', 'replaceState'] as const) {
        const original = history[m];
        history[m] = function (this: History, ...a: Parameters<History['pushState']>) {
          // The router's own call stays outside our guard: its errors are its own.
          original.apply(this, a);
          soft();
        };
      }
      on(w, 'popstate', soft);
    }

    const api = {
      push: safe((...commands: TagwardCommand[]) => {
        for (const [c, x] of commands)
          if (c == 'page') idle(view);
          else if (c == 'token') nextToken = '' + x;
          // Wrapped at registration: a throwing provider costs the token, never the beacon.
          else if (c == 'attest') {
            attest = safe(x as AttestProvider);
            first();
          }
      }),
    };
    w.tagward = api;
    if (pre) api.push(...(pre as TagwardCommand[]));

    const start = safe(() => {
      owed = -1;
      if (cohort && !optedOut()) {
        // The attestation module (not part of this bundle) registers itself with
        // tagward.push(['attest', provider]) once it holds tokens; the first view waits for
        // that, or ATTEST_WAIT, whichever comes first. The timer is set first: if the module
        // cannot even be requested (Trusted Types refuse a plain string as script src), the
        // view still comes, without a token.
        setTimeout(first, ATTEST_WAIT);
        const s = d.createElement('script');
        s.src = origin + __TAGWARD_ATTEST_PATH__;
        // Under a nonce-only CSP (no 'strict-dynamic') the module needs our nonce to run.
        s.nonce = me!.nonce;
        d.head.append(s);
      } else first();
    });
    // A prerendered page (Speculation Rules) counts when it is shown, not when it is fetched.
    if ((d as Document & { prerendering?: boolean }).prerendering)
      on(d, 'prerenderingchange', start);
    else start();
  }
} catch {
  // Nothing to report to yet, and nothing may reach the page.
}
