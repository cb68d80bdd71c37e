import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

/**
 * Serves the built dashboard: hashed assets with a year of cache, and `index.html` (no cache)
 * for every other GET that wants HTML, so client-side routes survive a reload.
 */
export function dashboardRouter(dir: string): Router {
  const routes = express.Router();
  const indexFile = path.join(dir, 'index.html');
  routes.use(
    '/assets',
    express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }),
  );
  routes.use(express.static(dir, { index: false, maxAge: 0 }));
  routes.get('/{*path}', (req, res, next) => {
    if (!req.accepts('html')) return next();
    if (!fs.existsSync(indexFile)) {
      res.status(503).type('text/plain').send('The dashboard is not built: run `npm run build -w @tagward/dashboard`.');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return routes;
}
