// Forged classes that drive a real Chromium: the site key pasted on another origin, and headless
// Chromium as automation tools start it (its own user agent, or a rewritten one).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { runVisitor, type LegitClass } from './legit.js';
import type { BeaconLogEntry } from './relay.js';

export const EVIL_HOST = 'copycat.tagward-bench.example';

/** A page on an origin the site never allowed, with the shop's snippet copied into it. */
export async function startCopycatSite(shopHtml: string): Promise<{ url: string; close(): Promise<void> }> {
  const snippet = /<script async src="[^"]+" integrity="[^"]+" crossorigin="anonymous" data-site="[^"]+"[^>]*><\/script>/.exec(shopHtml)?.[0];
  if (!snippet) throw new Error('no snippet found on the shop page');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Widgets, cheap</title>${snippet.replace(/ data-token="[^"]*"/, '')}</head><body><h1>Widgets, cheap</h1><p>Copied from elsewhere.</p></body></html>`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://${EVIL_HOST}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const visitOnce = (path: string): LegitClass['visit'] => async (page, site) => {
  await page.goto(site + path);
  await page.waitForFunction(() => (window as unknown as { __beacons?: number }).__beacons! >= 1, undefined, { timeout: 15_000 }).catch(() => undefined);
};

export interface BrowserForgery {
  name: string;
  residual?: boolean;
  visitors: number;
  /** Which browser and which site it visits. */
  headless: boolean;
  site: 'copycat' | 'shop';
  cls: Omit<LegitClass, 'visitors'>;
}

export function browserForgeries(headfulUserAgent: string): BrowserForgery[] {
  return [
    { name: 'key_on_copycat_origin', visitors: 15, headless: false, site: 'copycat', cls: { name: 'key_on_copycat_origin', visit: visitOnce('/') } },
    { name: 'headless_default_ua', visitors: 15, headless: true, site: 'shop', cls: { name: 'headless_default_ua', visit: visitOnce('/about') } },
    {
      name: 'headless_rewritten_ua',
      residual: true,
      visitors: 15,
      headless: true,
      site: 'shop',
      cls: { name: 'headless_rewritten_ua', visit: visitOnce('/about'), userAgent: headfulUserAgent },
    },
  ];
}

export async function runBrowserForgery(f: BrowserForgery, browser: Browser, siteUrl: string, log: BeaconLogEntry[]): Promise<void> {
  for (let i = 0; i < f.visitors; i++) await runVisitor({ browser, siteUrl, log }, f.cls);
}
