/**
 * Tagward in a plain `node:http` server: a fresh page token per page view (integration level 2).
 *
 *   TAGWARD_SECRET_KEY=sk_live_… TAGWARD_PUBLISHABLE_KEY=pk_live_… SITE_ORIGIN=https://shop.example \
 *   TAGWARD_ENDPOINT=https://beacon.tagward.example npx tsx examples/node-http.ts
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { mintPageToken, renderEmbedTag } from '@tagward/sdk-node';

export interface ExampleConfig {
  /** `sk_…`: server-side only. */
  secretKey: string;
  /** `pk_…`: goes into the page. */
  publishableKey: string;
  /** The public origin your pages are served from (configured, not taken from Host). */
  siteOrigin: string;
  /** Base URL of the Tagward beacon service (serves the script). */
  endpoint: string;
  /** SRI hash of the script, from the dashboard's install snippet. */
  embedIntegrity?: string;
}

export function createExampleServer(config: ExampleConfig): http.Server {
  return http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://placeholder');
    if (req.method !== 'GET' || pathname === '/favicon.ico') {
      res.writeHead(404).end();
      return;
    }
    const token = mintPageToken({
      secretKey: config.secretKey,
      origin: config.siteOrigin,
      path: pathname,
    });
    const tag = renderEmbedTag({
      src: new URL('/v1.js', config.endpoint).href,
      publishableKey: config.publishableKey,
      token,
      ...(config.embedIntegrity ? { integrity: config.embedIntegrity } : {}),
    });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // One token per response, never cached: a shared cached page would replay one token.
      'cache-control': 'no-store',
    });
    res.end(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Example</title>${tag}</head>
<body><h1>Hello from node:http</h1></body>
</html>`);
  });
}

export function startExample(config: ExampleConfig, port = 0): Promise<http.Server> {
  return new Promise((resolve) => {
    const server = createExampleServer(config).listen(port, '127.0.0.1', () => resolve(server));
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
  console.log(`example on http://127.0.0.1:${(server.address() as { port: number }).port}/`);
}
