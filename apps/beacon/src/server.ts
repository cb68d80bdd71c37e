import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { COLLECT_PATH } from '@tagward/protocol';
import type { Database } from '@tagward/db';
import { embedCacheControl, isHashedEmbedFile } from '@tagward/embed';
import type { BeaconConfig } from './config.js';
import { BeaconError, sendError, sendJson } from './errors.js';
import { createMetrics, type BeaconMetrics } from './metrics.js';
import { CadenceTracker } from './collect/cadence.js';
import { handleCollect, type CollectDeps } from './collect/handler.js';
import type { AttestationChecker, TokenChecker } from './checks/types.js';
import { SharedQuotaLimiter } from './collect/rate-limit.js';
import { SourceLimiter } from './collect/source-limits.js';
import { guardConnections } from './connections.js';
import { RulesCache } from './collect/rules-cache.js';
import { SiteCache } from './collect/site-cache.js';
import { VisitorHasher } from './collect/visitor.js';
import { CadenceReviser } from './collect/reviser.js';
import { GroupCommitWriter } from './collect/writer.js';
import { DatabaseRollupSink } from './collect/rollup-sink.js';
import type { Route } from './routes/route.js';

export interface BeaconDeps {
  db: Database;
  config: BeaconConfig;
  log: Logger;
  tokens: TokenChecker;
  attestation: AttestationChecker;
  /** Built embed script directory (apps/embed/dist), served in development. */
  embedDir?: string;
  /** Extra routes (verify API, attestation issuer) mounted before the 404. */
  routes?: Route[];
  now?: () => number;
}

export interface Beacon {
  server: http.Server;
  metrics: BeaconMetrics;
  writer: GroupCommitWriter;
  reviser: CadenceReviser;
  rules: RulesCache;
  listen(port: number, host: string): Promise<string>;
  /** Graceful stop: refuse new beacons, finish in-flight requests, flush, close. */
  close(): Promise<void>;
}

export async function createBeacon(deps: BeaconDeps): Promise<Beacon> {
  const { db, config, log } = deps;
  const metrics = createMetrics();
  const rules = new RulesCache(db, log);
  await rules.start(config.rulesRefreshMs);
  const rollups = new DatabaseRollupSink(db, metrics, log);
  const writer = new GroupCommitWriter(
    db,
    { maxBatch: config.maxBatch, flushDelayMs: config.flushDelayMs, maxPending: config.maxPending, maxFlushes: config.maxFlushes },
    metrics,
    log,
    rollups,
  );
  const now = deps.now ?? Date.now;
  const reviser = new CadenceReviser({ db, rules, writes: writer, rollups, metrics, log, now });
  const collect: CollectDeps = {
    sites: new SiteCache(db, config.siteCacheMs),
    visitors: new VisitorHasher(db),
    sourceLimiter: new SourceLimiter({
      visitor: config.visitorLimitPerWindow,
      address: config.addressLimitPerWindow,
      network: config.networkLimitPerWindow,
      windowMs: config.rateWindowMs,
    }),
    siteQuota: new SharedQuotaLimiter(db, 'key', config.keyLimitPerWindow, config.rateWindowMs),
    cadence: new CadenceTracker(),
    reviser,
    tokens: deps.tokens,
    attestation: deps.attestation,
    rules,
    writer,
    metrics,
    trustProxy: config.trustProxy,
    bodyTimeoutMs: config.bodyTimeoutMs,
    now,
    log,
  };
  let accepting = true;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const readiness = new ReadinessProbe(db);

  const server = http.createServer((req, res) => {
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (inFlight === 0) drained?.();
    });
    route(req, res).catch((error: unknown) => {
      log.error({ err: error }, 'unhandled error');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  guardConnections(server, config);

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0]!;
    if (pathname === COLLECT_PATH) {
      if (req.method === 'POST') {
        if (!accepting) return sendError(res, new BeaconError('shutting_down', 'restarting, retry shortly', 1));
        return handleCollect(req, res, collect);
      }
      if (req.method === 'OPTIONS') return preflight(res);
      return sendError(res, new BeaconError('method_not_allowed', 'POST beacons here'));
    }
    if (req.method === 'GET' && pathname === '/healthz') return sendJson(res, 200, { ok: true });
    if (req.method === 'GET' && pathname === '/readyz') {
      const ready = accepting && (await readiness.check());
      return sendJson(res, ready ? 200 : 503, { ready, accepting });
    }
    for (const extra of deps.routes ?? []) {
      if ((extra.method === 'ANY' || req.method === extra.method) && extra.match(pathname)) return extra.handle(req, res);
    }
    if (req.method === 'GET' && deps.embedDir && serveEmbed(deps.embedDir, pathname, res)) return;
    sendError(res, new BeaconError('not_found', 'no such route'));
  }

  return {
    server,
    metrics,
    writer,
    reviser,
    rules,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${address.port}`);
        });
      });
    },
    async close() {
      accepting = false;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await writer.drain();
      await reviser.idle();
      await rollups.idle();
      server.closeAllConnections();
      await closed;
      rules.stop();
    },
  };
}

/** CORS preflight for `application/json` beacons (sendBeacon's text/plain needs none). */
function preflight(res: http.ServerResponse): void {
  res.writeHead(204, {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '86400',
  });
  res.end();
}

const EMBED_FILE = /^\/(v1(-spa)?\.js|attest-v1\.js|tagward(-spa)?\.[0-9a-f]{10}\.js(\.map)?|manifest\.json)$/;

/**
 * Development stand-in for the CDN: content-hashed files are immutable for a year, the stable
 * aliases (`v1.js`, `v1-spa.js`, `attest-v1.js`) are cached for five minutes so a release reaches
 * every page quickly. Hashed scripts link their source map with a `SourceMap` header (the script
 * itself carries no comment: it would cost bytes of the size budget).
 */
function serveEmbed(dir: string, pathname: string, res: http.ServerResponse): boolean {
  const match = EMBED_FILE.exec(pathname);
  if (!match) return false;
  const name = match[1]!;
  let body: Buffer;
  try {
    body = fs.readFileSync(path.join(dir, name));
  } catch {
    return false;
  }
  const hashed = isHashedEmbedFile(name);
  const headers: Record<string, string> = {
    'content-type': name.endsWith('.json') || name.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8',
    'cache-control': embedCacheControl(name),
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
    'x-content-type-options': 'nosniff',
  };
  if (hashed && name.endsWith('.js')) headers.sourcemap = `${name}.map`;
  res.writeHead(200, headers);
  res.end(body);
  return true;
}

/** /readyz: one ping per second at most, so a probe storm does not load the database. */
class ReadinessProbe {
  private last = 0;
  private ok = false;
  constructor(private readonly db: Database) {}
  async check(): Promise<boolean> {
    if (Date.now() - this.last < 1000) return this.ok;
    this.last = Date.now();
    try {
      await this.db.conn.db!.admin().command({ ping: 1 });
      this.ok = true;
    } catch {
      this.ok = false;
    }
    return this.ok;
  }
}
