import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Types } from 'mongoose';
import { MAX_BODY_BYTES, type CollectPayload } from '@tagward/protocol';
import {
  deriveSignals,
  score,
  type AttestationOutcome,
  type TokenOutcome,
} from '@tagward/trust';
import { BeaconError, sendError, sendJson } from '../errors.js';
import type { BeaconMetrics } from '../metrics.js';
import type { CadenceTracker } from './cadence.js';
import { parsePayload } from './parse-payload.js';
import { readBody } from './read-body.js';
import type { SharedQuotaLimiter } from './rate-limit.js';
import type { RulesCache } from './rules-cache.js';
import type { BeaconSite, SiteCache } from './site-cache.js';
import type { VisitorHasher } from './visitor.js';
import type { GroupCommitWriter, StoredEvent } from './writer.js';

export interface TokenChecker {
  verify(
    token: string | undefined,
    context: { site: BeaconSite; origin: string | undefined; url: URL; eventId: string; now: number },
  ): Promise<TokenOutcome>;
}

export interface AttestationChecker {
  verify(
    token: string | undefined,
    context: { site: BeaconSite; origin: string | undefined; eventId: string; now: number },
  ): Promise<AttestationOutcome>;
}

export interface CollectDeps {
  sites: SiteCache;
  visitors: VisitorHasher;
  keyLimiter: SharedQuotaLimiter;
  visitorLimiter: SharedQuotaLimiter;
  cadence: CadenceTracker;
  tokens: TokenChecker;
  attestation: AttestationChecker;
  rules: RulesCache;
  writer: GroupCommitWriter;
  metrics: BeaconMetrics;
  trustProxy: boolean;
  bodyTimeoutMs: number;
  now: () => number;
  log: Logger;
}

const ACCEPTED_TYPES = new Set(['text/plain', 'application/json']);

/** The beacon path: readBody → parsePayload → resolveSite → limits → extractFacts → score → persist → respond. */
export async function handleCollect(req: IncomingMessage, res: ServerResponse, deps: CollectDeps): Promise<void> {
  try {
    checkContentType(req);
    const payload = parsePayload(await readBody(req, MAX_BODY_BYTES, deps.bodyTimeoutMs));
    const url = pageUrl(payload);
    const site = await resolveSite(deps, payload.key);
    const now = deps.now();
    const ip = clientIp(req, deps.trustProxy);
    const userAgent = req.headers['user-agent'] ?? '';
    const visitorHash = await deps.visitors.hash(site.id, ip, userAgent, now);
    await enforceLimits(deps, site, visitorHash, now);
    const event = await scoreEvent(req, deps, { payload, url, site, ip, visitorHash, now });
    const outcome = await deps.writer.write(event);
    deps.metrics.requests.inc({ status: '200', code: outcome === 'inserted' ? 'accepted' : 'duplicate' });
    if (outcome === 'inserted') deps.metrics.verdicts.inc({ verdict: event.verdict });
    sendJson(res, 200, { id: payload.id });
  } catch (error) {
    const rejection = asBeaconError(error, deps.log);
    deps.metrics.requests.inc({ status: String(rejection.status), code: rejection.code });
    sendError(res, rejection);
  }
}

function checkContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!ACCEPTED_TYPES.has(type)) {
    throw new BeaconError('unsupported_media_type', 'send text/plain (sendBeacon) or application/json');
  }
}

function pageUrl(payload: CollectPayload): URL {
  let url: URL;
  try {
    url = new URL(payload.url);
  } catch {
    throw new BeaconError('invalid_payload', 'url: not an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new BeaconError('invalid_payload', 'url: only http and https pages are measured');
  }
  return url;
}

async function resolveSite(deps: CollectDeps, key: string): Promise<BeaconSite> {
  const site = await deps.sites.resolve(key);
  if (!site) throw new BeaconError('unknown_key', 'no site has this publishable key');
  return site;
}

async function enforceLimits(deps: CollectDeps, site: BeaconSite, visitorHash: string, now: number): Promise<void> {
  const perKey = await deps.keyLimiter.take(site.id, now);
  if (!perKey.ok) throw new BeaconError('rate_limited', 'too many beacons for this site', perKey.retryAfterS);
  const perVisitor = await deps.visitorLimiter.take(visitorHash, now);
  if (!perVisitor.ok) throw new BeaconError('rate_limited', 'too many beacons from this visitor', perVisitor.retryAfterS);
}

interface EventInput {
  payload: CollectPayload;
  url: URL;
  site: BeaconSite;
  ip: string;
  visitorHash: string;
  now: number;
}

async function scoreEvent(req: IncomingMessage, deps: CollectDeps, input: EventInput): Promise<StoredEvent> {
  const { payload, url, site, ip, visitorHash, now } = input;
  const origin = req.headers.origin;
  const context = { site, origin, eventId: payload.id, now };
  // A page token is single-use and proves the page fetch once: it is checked on the page's first
  // beacon only. Later beacons of a single-page app (seq > 0) score as carrying no token, which
  // gives a replayer nothing a token-less beacon would not.
  const pageToken = payload.seq === 0 ? payload.token : undefined;
  const [token, attestation] = await Promise.all([
    deps.tokens.verify(pageToken, { ...context, url }),
    deps.attestation.verify(payload.att, context),
  ]);
  const t = payload.timing;
  const cadence = deps.cadence.observe(visitorHash, now, `${t.nav}|${t.start}|${t.checks}|${t.send}`);
  const signals = deriveSignals({
    rawHeaders: req.rawHeaders,
    ip,
    payload: { url: payload.url, ref: payload.ref, timing: t, seq: payload.seq, errors: payload.errors },
    site: {
      id: site.id,
      mode: site.mode,
      allowedOrigins: site.allowedOrigins,
      pageTokenRequired: site.pageTokenRequired,
    },
    token,
    attestation,
    cadence,
  });
  const active = deps.rules.forSite(site.id);
  const result = score(signals, active.rules);
  const shadow = active.shadow ? score(signals, active.shadow.rules) : null;
  return {
    siteId: new Types.ObjectId(site.id),
    eventId: payload.id,
    receivedAt: new Date(now),
    page: { url: payload.url, path: url.pathname, referrer: payload.ref },
    checks: payload.checks,
    signals,
    score: result.score,
    verdict: result.verdict,
    reasons: result.reasons,
    rulesVersion: active.version,
    overrideVersion: active.overrideVersion,
    shadow: shadow && active.shadow
      ? { score: shadow.score, verdict: shadow.verdict, reasons: shadow.reasons, version: active.shadow.version }
      : null,
    visitorHash,
    attestationCohort: payload.cohort === true,
    clientErrors: payload.errors ?? [],
    label: null,
    tokenValid: token.status === 'valid',
  };
}

/** The socket's address; X-Forwarded-For only behind our own proxy, where the last hop is the one it saw. */
function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? '';
}

function asBeaconError(error: unknown, log: Logger): BeaconError {
  if (error instanceof BeaconError) return error;
  // Anything else on this path is a database call failing (site lookup, salt, limits, nonces):
  // answer 503 so the client retries, and log it, since a bug would land here too.
  log.warn({ err: error }, 'collect failed on a dependency');
  return new BeaconError('database_unavailable', 'the event store is unavailable, retry later', 5);
}
