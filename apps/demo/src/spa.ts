// The demo single-page app, served under /app/ of the demo site for the "Demo app" site, which
// requires a page token on every beacon. It follows docs/integration.md: the HTML carries the
// first view's token; before each soft navigation the app asks its backend (/app/token) for a
// fresh token for the new path and pushes it with tagward.push(['token', t]), then pushState.
import { mintPageToken } from '@tagward/sdk-node';

/** The app's routes: path → heading. Any other /app/ path is a 404. */
export const APP_ROUTES: Record<string, string> = {
  '/app/': 'Dashboard',
  '/app/pricing': 'Pricing',
  '/app/docs': 'Documentation',
  '/app/account': 'Account',
};

export interface AppKeys {
  publicKey: string;
  secretKey: string;
}

export interface SpaResponse {
  status: number;
  type: string;
  body: string;
}

/** A fresh single-use token for one soft navigation, for the app's own routes only. */
export function appTokenResponse(keys: AppKeys, origin: string, rawPath: string | null): SpaResponse {
  if (rawPath === null || !(rawPath in APP_ROUTES)) {
    return { status: 400, type: 'application/json', body: JSON.stringify({ error: 'unknown app path' }) };
  }
  const token = mintPageToken({ secretKey: keys.secretKey, origin, path: rawPath, ttlSeconds: 600 });
  return { status: 200, type: 'application/json', body: JSON.stringify({ token }) };
}

/** The shell every app route serves; the router (ROUTER_SCRIPT) renders the route. */
export function appShell(keys: AppKeys, origin: string, path: string, embed: { beaconUrl: string; file: string; sri: string }): string {
  const token = mintPageToken({ secretKey: keys.secretKey, origin, path, ttlSeconds: 600 });
  const links = Object.entries(APP_ROUTES)
    .map(([href, title]) => `<a data-route href="${href}">${title}</a>`)
    .join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${APP_ROUTES[path]} — Demo app</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="The demo single-page app: every soft navigation fetches a fresh page token.">
  <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2933}nav a{margin-right:.5rem}</style>
  <script async src="${embed.beaconUrl}/${embed.file}" integrity="${embed.sri}" crossorigin="anonymous" data-site="${keys.publicKey}" data-token="${token}"></script>
</head>
<body>
<nav>${links}</nav>
<h1 id="view">${APP_ROUTES[path]}</h1>
<p>A single-page app: these links change the route with <code>history.pushState</code>.</p>
<p id="tagward-status" data-beacon-ids="">Tagward beacons: none yet</p>
<script src="/app.js" defer></script>
</body>
</html>`;
}

/** The app's router and its beacon log (ids of every beacon the embed reported, in order). */
export const ROUTER_SCRIPT = `(function () {
  var titles = ${JSON.stringify(APP_ROUTES)};
  var status = document.getElementById('tagward-status');
  document.addEventListener('tagward:beacon', function (e) {
    var ids = status.dataset.beaconIds ? status.dataset.beaconIds.split(' ') : [];
    ids.push(e.detail.id);
    status.dataset.beaconIds = ids.join(' ');
    status.textContent = 'Tagward beacons: ' + ids.length;
  });
  function render(path) {
    document.getElementById('view').textContent = titles[path];
    document.title = titles[path] + ' — Demo app';
  }
  function token(path) {
    return fetch('/app/token?path=' + encodeURIComponent(path), { cache: 'no-store' })
      .then(function (r) { return r.json(); })
      .then(function (j) { return j.token; });
  }
  // Back and Forward change the URL before the app hears of it (popstate), and the embed script
  // records the view soon after: a token for the way back is fetched ahead, after each
  // navigation, so that popstate can push one at once. Every token is still used once.
  var ahead = {};
  var history_ = [location.pathname];
  function prefetchBack() {
    var back = history_[history_.length - 2];
    if (back && !ahead[back]) token(back).then(function (t) { ahead[back] = t; });
  }
  // A fresh token for the new path, pushed before the route changes (docs/integration.md).
  function go(path, push) {
    return token(path).then(function (t) {
      (window.tagward = window.tagward || []).push(['token', t]);
      if (push) history.pushState({}, '', path);
      history_.push(path);
      render(path);
      prefetchBack();
    });
  }
  function back() {
    var path = location.pathname;
    var t = ahead[path];
    delete ahead[path];
    history_.pop();
    if (t) {
      window.tagward.push(['token', t]);
      render(path);
      prefetchBack();
    } else {
      history_.pop();
      go(path, false);
    }
  }
  document.addEventListener('click', function (e) {
    var a = e.target.closest && e.target.closest('a[data-route]');
    if (!a) return;
    e.preventDefault();
    if (a.getAttribute('href') !== location.pathname) go(a.getAttribute('href'), true);
  });
  window.addEventListener('popstate', back);
})();`;
