/**
 * Tagward in an Express app: a fresh page token per page view (integration level 2) and the
 * verify API behind a form (level 3).
 *
 *   TAGWARD_SECRET_KEY=sk_live_… TAGWARD_PUBLISHABLE_KEY=pk_live_… SITE_ORIGIN=https://shop.example \
 *   TAGWARD_ENDPOINT=https://beacon.tagward.example TAGWARD_EMBED_INTEGRITY=sha384-… \
 *   npx tsx examples/express.ts
 */
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { TagwardError, createVerifyClient, mintPageToken, renderEmbedTag } from '@tagward/sdk-node';

export interface ExampleConfig {
  /** `sk_…`: server-side only. */
  secretKey: string;
  /** `pk_…`: goes into the page. */
  publishableKey: string;
  /**
   * The public origin your pages are served from. Configure it: do not trust the Host header,
   * which behind a proxy is not what the browser sees (and a client can send anything).
   */
  siteOrigin: string;
  /** Base URL of the Tagward beacon service: serves the script and the verify API. */
  endpoint: string;
  /** SRI hash of the script, from the dashboard's install snippet. */
  embedIntegrity?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function renderPage(config: ExampleConfig, path: string, title: string): string {
  const token = mintPageToken({ secretKey: config.secretKey, origin: config.siteOrigin, path });
  const tag = renderEmbedTag({
    src: new URL('/v1.js', config.endpoint).href,
    publishableKey: config.publishableKey,
    token,
    ...(config.embedIntegrity ? { integrity: config.embedIntegrity } : {}),
  });
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)}</title>
  <meta name="description" content="A page of the example shop.">
  ${tag}
</head>
<body>
  <h1>${escapeHtml(title)}</h1>
  <form method="post" action="/signup">
    <label>Email <input type="email" name="email" required></label>
    <input type="hidden" name="beaconId">
    <button>Sign up</button>
  </form>
  <script>
    // The embed script announces each stored beacon; hand its id to the backend with the form.
    document.addEventListener('tagward:beacon', function (e) {
      if (e.detail && e.detail.id) document.querySelector('input[name=beaconId]').value = e.detail.id;
    });
  </script>
</body>
</html>`;
}

export function createExampleApp(config: ExampleConfig): express.Express {
  const app = express();
  const tagward = createVerifyClient({ secretKey: config.secretKey, endpoint: config.endpoint });

  app.get(['/', '/blog/:slug'], (req, res) => {
    // One token per response, never cached: a shared cached page would replay one token.
    res.set('cache-control', 'no-store');
    const slug = req.params.slug;
    res.type('html').send(renderPage(config, req.path, typeof slug === 'string' ? slug : 'Home'));
  });

  app.post('/signup', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const beaconId = typeof req.body?.beaconId === 'string' ? req.body.beaconId : '';
    try {
      const beacon = await tagward.getBeacon(beaconId);
      // Your policy: here fraud is refused, suspect is let through but could require a CAPTCHA.
      if (beacon.verdict === 'fraud') {
        res
          .status(403)
          .type('text')
          .send(`refused: ${beacon.reasons.map((r) => r.code).join(', ')}`);
        return;
      }
      res.type('text').send(`welcome (${beacon.verdict}, score ${beacon.score.toFixed(2)})`);
    } catch (error) {
      if (
        error instanceof TagwardError &&
        (error.code === 'not_found' || error.code === 'invalid_argument')
      ) {
        // No beacon from this page view: a script, or a visitor blocking the embed script.
        res.status(400).type('text').send('no page view to vouch for this request');
        return;
      }
      // Tagward unreachable: decide whether to fail open or closed; this example fails open.
      res.type('text').send('welcome (unverified)');
    }
  });
  return app;
}

export function startExample(config: ExampleConfig, port = 0): Promise<Server> {
  return new Promise((resolve) => {
    const server = createExampleApp(config).listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const env = process.env;
  const server = await startExample(
    {
      secretKey: env.TAGWARD_SECRET_KEY ?? '',
      publishableKey: env.TAGWARD_PUBLISHABLE_KEY ?? '',
      siteOrigin: env.SITE_ORIGIN ?? 'http://localhost:3000',
      endpoint: env.TAGWARD_ENDPOINT ?? 'http://localhost:8081',
      ...(env.TAGWARD_EMBED_INTEGRITY ? { embedIntegrity: env.TAGWARD_EMBED_INTEGRITY } : {}),
    },
    Number(env.PORT ?? 3000),
  );
  console.log(`example shop on http://127.0.0.1:${(server.address() as { port: number }).port}/`);
}
