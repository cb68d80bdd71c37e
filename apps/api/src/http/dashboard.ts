import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import express, { type Router } from 'express';
import { contentSecurityPolicy } from './security-headers.js';

/**
 * The page SvelteKit's adapter-static writes for every URL it did not prerender (none: the
 * dashboard is a single-page app, `apps/dashboard/svelte.config.js`). The client router takes it
 * from there.
 */
export const SPA_FALLBACK = '200.html';

/**
 * Serves the built dashboard: content-hashed files under `_app/immutable` with a year of cache,
 * other files uncached, and the fallback page (no cache) for every other GET that wants HTML, so
 * client-side routes survive a reload.
 */
export function dashboardRouter(dir: string, options: { serveSourceMaps?: boolean } = {}): Router {
  const routes = express.Router();
  // Source maps would hand anyone the dashboard's source with comments: not in production (the
  // production build makes none; this also covers a build made with them).
  if (!options.serveSourceMaps) {
    routes.use((req, res, next) => (req.path.endsWith('.map') ? res.status(404).json({ error: { code: 'not_found', message: 'Not found.' } }) : next()));
  }
  const fallback = fallbackPage(path.join(dir, SPA_FALLBACK));
  routes.use(
    '/_app/immutable',
    express.static(path.join(dir, '_app', 'immutable'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  routes.use(express.static(dir, { index: false, maxAge: 0 }));
  routes.get('/{*path}', async (req, res, next) => {
    if (!req.accepts('html')) return next();
    const page = await fallback();
    if (!page) {
      res.status(503).type('text/plain').send('The dashboard is not built: run `npm run build -w @tagward/dashboard`.');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', page.csp);
    res.type('html').send(page.html);
  });
  return routes;
}

interface FallbackPage {
  html: string;
  csp: string;
}

/**
 * The fallback page, read again when the file changes (a rebuild while the API runs). Its inline
 * boot script (SvelteKit's, which starts the app) is allowed by its hash: every other inline
 * script stays blocked.
 */
function fallbackPage(file: string): () => Promise<FallbackPage | null> {
  let cached: { mtimeMs: number; page: FallbackPage } | null = null;
  return async () => {
    const stat = await fs.stat(file).catch(() => null);
    if (!stat) return null;
    if (cached?.mtimeMs !== stat.mtimeMs) {
      const html = await fs.readFile(file, 'utf8');
      cached = { mtimeMs: stat.mtimeMs, page: { html, csp: contentSecurityPolicy(inlineScriptHashes(html)) } };
    }
    return cached.page;
  };
}

/** CSP source expressions for the page's inline `<script>` elements (those without `src`). */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/gi)) {
    if (/\ssrc\s*=/i.test(match[1] ?? '')) continue;
    hashes.push(`'sha256-${createHash('sha256').update(match[2] ?? '', 'utf8').digest('base64')}'`);
  }
  return hashes;
}
