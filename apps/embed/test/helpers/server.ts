// A tiny stand-in for the two sides of a real install, on one loopback port:
//   http://127.0.0.1:<port>/…  the client's site (fixture pages, with their own headers)
//   http://localhost:<port>/…  Tagward: the built scripts and POST /v1/collect
// Two host names make the beacon cross-origin from the page, as it is in production, so CORS,
// Origin and Sec-Fetch-* behave as they will for real.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { embedCacheControl } from '../../src/manifest.js';

export interface Captured {
  /** Raw request body, exactly as sent. */
  raw: string;
  body: unknown;
  headers: IncomingHttpHeaders;
  at: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FixturePage {
  html: string;
  headers?: Record<string, string>;
  /** Milliseconds to wait before answering (slow pages). */
  delay?: number;
}

export interface FixtureServer {
  /** Origin of the client's site. */
  site: string;
  /** Origin of Tagward (scripts and beacon). */
  tagward: string;
  beacons: Captured[];
  /** Paths requested from the Tagward origin, in order. */
  requests: string[];
  /** Decides the beacon's answer; the default stores and answers 200 { id }. */
  answer: (c: Captured, index: number) => Reply;
  pages: Map<string, FixturePage>;
  /** Extra scripts on the Tagward origin (the attestation module stand-in), by path. */
  scripts: Map<string, string>;
  close(): Promise<void>;
}

export const accept = (_c: Captured, index: number): Reply => ({
  status: 200,
  body: { id: `ev_${index + 1}` },
});

const CORS = {
  'access-control-allow-origin': '*',
  // Without this the script cannot read Retry-After (not a CORS-safelisted response header).
  'access-control-expose-headers': 'Retry-After',
};

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>) {
  res.writeHead(status, { 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export interface FixtureOptions {
  /**
   * Serve the built files with the CDN's caching (`embedCacheControl`: a hashed name for a year,
   * an alias five minutes), so that the browser keeps them, and V8's compiled code, across page
   * loads as it does for visitors (the benchmark). Default: `no-store`, so that every load of a
   * test reaches this server and shows in `requests`.
   */
  cdnCache?: boolean;
}

export async function startFixtureServer(
  embedDir: string,
  { cdnCache = false }: FixtureOptions = {},
): Promise<FixtureServer> {
  const state: Omit<FixtureServer, 'site' | 'tagward' | 'close'> = {
    beacons: [],
    requests: [],
    answer: accept,
    pages: new Map(),
    scripts: new Map(),
  };
  const server = createServer((req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    const url = new URL(req.url ?? '/', 'http://x');
    if (host === 'localhost') {
      state.requests.push(url.pathname);
      if (req.method === 'POST' && url.pathname === '/v1/collect') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(raw);
          } catch {
            body = undefined;
          }
          const captured: Captured = { raw, body, headers: req.headers, at: Date.now() };
          const index = state.beacons.push(captured) - 1;
          const reply = state.answer(captured, index);
          send(res, reply.status, JSON.stringify(reply.body ?? {}), {
            'content-type': 'application/json',
            ...CORS,
            ...reply.headers,
          });
        });
        return;
      }
      const script = state.scripts.get(url.pathname);
      if (req.method === 'GET' && script !== undefined) {
        send(res, 200, script, { 'content-type': 'text/javascript', ...CORS });
        return;
      }
      if (req.method === 'GET' && /^\/[\w.-]+\.js$/.test(url.pathname)) {
        const name = url.pathname.slice(1);
        readFile(join(embedDir, name)).then(
          (data) => {
            res.writeHead(200, {
              'content-type': 'text/javascript',
              'cache-control': cdnCache ? embedCacheControl(name) : 'no-store',
              ...CORS,
            });
            res.end(data);
          },
          () => send(res, 404, 'not found', {}),
        );
        return;
      }
      send(res, 404, 'not found', {});
      return;
    }
    const page = state.pages.get(url.pathname);
    if (!page) return send(res, 404, 'not found', { 'content-type': 'text/plain' });
    setTimeout(
      () =>
        send(res, 200, page.html, { 'content-type': 'text/html; charset=utf-8', ...page.headers }),
      page.delay ?? 0,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fixture = state as FixtureServer;
  fixture.site = `http://127.0.0.1:${port}`;
  fixture.tagward = `http://localhost:${port}`;
  fixture.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fixture;
}
