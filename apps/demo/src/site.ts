import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mintPageToken } from '@tagward/sdk-node';
import type { DemoSeed } from './seed.js';
import { APP_ROUTES, appShell, appTokenResponse, ROUTER_SCRIPT } from './spa.js';

export interface DemoSiteOptions {
  host: string;
  port: number;
  publicHost: string;
  /** Where the browser loads the embed script from, e.g. http://localhost:4100 */
  beaconUrl: string;
  /** The core script and the single-page-app variant (the app under /app/ uses the latter). */
  embed: { file: string; sri: string; spa: { file: string; sri: string } };
  getSite: () => DemoSeed;
}

interface DemoPage {
  title: string;
  body: string;
  head: string;
  lang: boolean;
  token: boolean;
  /** Extra response headers (a strict Referrer-Policy, say). */
  headers?: Record<string, string>;
}

/** How long the gallery's image takes to arrive. */
const SLOW_IMAGE_MS = 4000;
const GIF = Buffer.from('R0lGODlhAQABAAAAACw=', 'base64');

const GOOD_HEAD = (title: string, description: string, canonical: string) => `
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="description" content="${description}">
  <link rel="canonical" href="${canonical}">
  <meta property="og:title" content="${title}">
  <meta property="og:description" content="${description}">
  <meta property="og:type" content="website">
  <script type="application/ld+json">{"@context":"https://schema.org","@type":"Store","name":"Demo Shop"}</script>`;

/** The pages of a small shop: some well made, some with the SEO mistakes the checks find. */
export const DEMO_PAGES: Record<string, DemoPage> = {
  '/': {
    title: 'Demo Shop — hand-made widgets since 2020',
    head: GOOD_HEAD('Demo Shop', 'Hand-made widgets, shipped worldwide from our small workshop.', '/'),
    body: `<h1>Demo Shop</h1><h2>New this week</h2><p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A blue widget" width="1" height="1"> Our latest widgets.</p><p><a href="/products/widget">See the widget</a> · <a href="/blog/hello">Read the blog</a> · <a href="/about">About us</a></p>`,
    lang: true,
    token: true,
  },
  '/products/widget': {
    title: 'The Widget — Demo Shop',
    head: GOOD_HEAD('The Widget', 'The widget that started it all: sturdy, blue, and repairable.', '/products/widget'),
    body: `<h1>The Widget</h1><h2>Details</h2><h3>Materials</h3><p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="The widget from above"> <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></p><p><a href="/">Home</a></p>`,
    lang: true,
    token: true,
  },
  '/blog/hello': {
    title: 'Hello',
    head: '<meta name="viewport" content="width=device-width, initial-scale=1">',
    body: `<h1>Hello from the workshop</h1><h3>Skipped a level</h3><p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><a href="/"></a></p>`,
    lang: true,
    token: true,
  },
  // A heavy page: its large image keeps the load event pending for seconds, so a visitor who
  // leaves at once (a bounce) leaves before load.
  '/gallery': {
    title: 'Gallery — Demo Shop',
    head: GOOD_HEAD('Gallery', 'Every widget we ever made, photographed in our workshop.', '/gallery'),
    body: `<h1>Gallery</h1><p><img src="/slow.gif?ms=${SLOW_IMAGE_MS}" alt="Widgets on the workbench" width="320" height="200"></p><p><a href="/">Home</a></p>`,
    lang: true,
    token: true,
  },
  // A page that sends no referrer at all (the visitor's account page).
  '/account': {
    title: 'Your account — Demo Shop',
    head: GOOD_HEAD('Your account', 'Orders, addresses and settings of your Demo Shop account.', '/account'),
    body: `<h1>Your account</h1><p>No orders yet.</p><p><a href="/">Home</a></p>`,
    lang: true,
    token: true,
    headers: { 'referrer-policy': 'no-referrer' },
  },
  '/about': {
    title: '',
    head: '<meta name="robots" content="noindex">',
    body: `<h1>About</h1><h1>Us</h1><p>We make widgets.</p><p><a href="/">Home</a></p>`,
    lang: false,
    token: false,
  },
};

function render(page: DemoPage, snippet: string): string {
  return `<!doctype html>
<html${page.lang ? ' lang="en"' : ''}>
<head>
  <meta charset="utf-8">
  <title>${page.title}</title>${page.head}
  <style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1f2933}</style>
  ${snippet}
</head>
<body>${page.body}<p id="tagward-status">Tagward beacon: waiting…</p>
<script src="/status.js" defer></script>
</body>
</html>`;
}

/** Shows on the page what the embed reported (the `tagward:beacon` DOM event), for humans and tests. */
const STATUS_SCRIPT = `document.addEventListener('tagward:beacon', function (e) {
  var el = document.getElementById('tagward-status');
  if (el) { el.textContent = 'Tagward beacon: ' + (e.detail && e.detail.id ? 'sent ' + e.detail.id : 'sent'); el.dataset.beaconId = (e.detail && e.detail.id) || ''; }
});`;

/**
 * The demo client's web site: a separate origin whose backend mints a page token per page view
 * with the Node SDK (level 2) and renders the snippet, exactly as a client's site would.
 */
export async function startDemoSite(options: DemoSiteOptions): Promise<{ url: string; close(): Promise<void> }> {
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const pathname = url.pathname;
    if (pathname === '/status.js' || pathname === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(pathname === '/app.js' ? ROUTER_SCRIPT : STATUS_SCRIPT);
      return;
    }
    if (pathname === '/slow.gif') {
      const delay = Math.min(10_000, Math.max(0, Number(url.searchParams.get('ms')) || 0));
      const timer = setTimeout(() => {
        res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' });
        res.end(GIF);
      }, delay);
      res.once('close', () => clearTimeout(timer));
      return;
    }
    if (pathname === '/app/token' || pathname in APP_ROUTES) {
      const app = options.getSite().app;
      const out =
        pathname === '/app/token'
          ? appTokenResponse(app, origin, url.searchParams.get('path'))
          : { status: 200, type: 'text/html; charset=utf-8', body: appShell(app, origin, pathname, { beaconUrl: options.beaconUrl, ...options.embed.spa }) };
      res.writeHead(out.status, { 'content-type': out.type, 'cache-control': 'no-store' });
      res.end(out.body);
      return;
    }
    const page = DEMO_PAGES[pathname];
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const site = options.getSite();
    const token = page.token
      ? mintPageToken({ secretKey: site.secretKey, origin, path: pathname, ttlSeconds: 600 })
      : undefined;
    const snippet = `<script async src="${options.beaconUrl}/${options.embed.file}" integrity="${options.embed.sri}" crossorigin="anonymous" data-site="${site.publicKey}" data-attest="${site.attestationCohortPct}"${token ? ` data-token="${token}"` : ''}></script>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...page.headers });
    res.end(render(page, snippet));
  });
  await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `http://${options.publicHost}:${port}`;
  return {
    url: origin,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
