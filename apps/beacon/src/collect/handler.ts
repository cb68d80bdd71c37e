import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Types } from 'mongoose';
import { MAX_BODY_BYTES, type CollectPayload } from '@tagward/protocol';
import { cadenceReach, deriveSignals, ipPrefix, score, type AttestationOutcome, type Signals, type TokenOutcome } from '@tagward/trust';
import type { EventRecord } from '@tagward/db';
import { BeaconError, sendError, sendJson } from '../errors.js';
import type { BeaconMetrics } from '../metrics.js';
import type { AttestationChecker, TokenChecker } from '../checks/types.js';
import type { Cadence, CadenceTracker, SourceKeys } from './cadence.js';
import { parsePayload } from './parse-payload.js';
import { readBody } from './read-body.js';
import type { SharedQuotaLimiter } from './rate-limit.js';
import type { CadenceReviser } from './reviser.js';
import type { RulesCache } from './rules-cache.js';
import type { BeaconSite, SiteCache } from './site-cache.js';
import type { Source, SourceLimiter } from './source-limits.js';
import type { VisitorHasher } from './visitor.js';
import type { GroupCommitWriter } from './writer.js';

export interface CollectDeps {
  sites: SiteCache;
  visitors: VisitorHasher;
  sourceLimiter: SourceLimiter;
  siteQuota: SharedQuotaLimiter;
  cadence: CadenceTracker;
  reviser: CadenceReviser;
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

/**
 * The beacon path: readBody → parsePayload → resolveSite → observe cadence → admit (per source,
 * then the site quota) → check credentials → score → persist (the write also spends the
 * credentials' nonces) → hand a cadence finding's reach to the reviser (background) → respond.
 */
export async function handleCollect(req: IncomingMessage, res: ServerResponse, deps: CollectDeps): Promise<void> {
  try {
    checkContentType(req);
    const payload = parsePayload(await readBody(req, MAX_BODY_BYTES, deps.bodyTimeoutMs));
    const url = pageUrl(payload);
    const site = await resolveSite(deps, payload.key);
    const now = deps.now();
    const ip = clientIp(req, deps.trustProxy);
    const visitorHash = await deps.visitors.hash(site.id, ip, req.headers['user-agent'] ?? '', now);
    // Cadence sees every arrival, including those refused below: a burst is judged on all of it.
    const t = payload.timing;
    const network = ipPrefix(ip)?.prefix ?? ip;
    const sources: SourceKeys = { address: `${site.id}|${ip}`, network: `${site.id}|${network}` };
    const cadence = deps.cadence.observe(visitorHash, sources, now, `${t.nav}|${t.start}|${t.checks}|${t.send}`, payload.id);
    await admit(deps, site, { visitor: visitorHash, address: ip, network }, now);
    const input: EventInput = { req, payload, url, site, ip, visitorHash, now, cadence };
    const credentials = await checkCredentials(deps, input);
    const event = buildEvent(deps, input, credentials);
    if (event.verdict === 'trusted') deps.cadence.markTrusted(visitorHash, sources, payload.id);
    const outcome = await deps.writer.write(event, (replayed) => buildEvent(deps, input, asReplayed(credentials, replayed)));
    deps.metrics.requests.inc({ status: '200', code: outcome.result === 'inserted' ? 'accepted' : 'duplicate' });
    if (outcome.result === 'inserted') {
      deps.metrics.verdicts.inc({ verdict: outcome.event.verdict });
      reviseEarlier(deps, outcome.event, sources);
    }
    sendJson(res, 200, { id: payload.id });
  } catch (error) {
    const rejection = asBeaconError(error, deps.log);
    deps.metrics.requests.inc({ status: String(rejection.status), code: rejection.code });
    sendError(res, rejection);
  }
}

/** A beacon flagged for its cadence revises the trusted beacons its finding reaches back to. */
function reviseEarlier(deps: CollectDeps, stored: EventRecord, sources: SourceKeys): void {
  const reach = cadenceReach(stored.signals as unknown as Signals, deps.rules.forSite(stored.siteId.toHexString()).rules);
  if (reach.visitorMs === 0 && reach.addressMs === 0 && reach.networkMs === 0) return;
  const t = stored.receivedAt.getTime();
  deps.reviser.revise(stored, deps.cadence.takeTrustedWithin(stored.visitorHash, sources, t, reach, stored.eventId));
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

const REFUSED_BY = { visitor: 'this visitor', address: 'this address', network: 'this network' } as const;

/**
 * Per-source limits first (in memory), then the site quota (shared by every process). A refused
 * beacon spends nothing: not its network's budget, not the site's quota.
 */
async function admit(deps: CollectDeps, site: BeaconSite, source: Source, now: number): Promise<void> {
  const refused = deps.sourceLimiter.admit(site.id, source, now);
  if (refused) throw new BeaconError('rate_limited', `too many beacons from ${REFUSED_BY[refused.refused]}`, refused.retryAfterS);
  const quota = await deps.siteQuota.take(site.id, now).catch((error: unknown) => {
    deps.sourceLimiter.release(site.id, source, now);
    throw error;
  });
  if (!quota.ok) {
    deps.sourceLimiter.release(site.id, source, now);
    throw new BeaconError('rate_limited', 'too many beacons for this site', quota.retryAfterS);
  }
}

interface EventInput {
  req: IncomingMessage;
  payload: CollectPayload;
  url: URL;
  site: BeaconSite;
  ip: string;
  visitorHash: string;
  now: number;
  cadence: Cadence;
}

interface Credentials {
  token: TokenOutcome;
  attestation: AttestationOutcome;
  /** Nonces storing the event spends. */
  nonces: string[];
  tokenNonce?: string;
  attestationNonce?: string;
}

/**
 * Page token and attestation token, checked in full but for their single use. Every beacon's
 * token is checked, whatever its `seq`: a single-page app hands a fresh token to each soft
 * navigation, and a token seen once is spent for every later use, however that beacon is shaped.
 */
async function checkCredentials(deps: CollectDeps, input: EventInput): Promise<Credentials> {
  const { payload, site, url, now } = input;
  const origin = input.req.headers.origin;
  const [token, attestation] = await Promise.all([
    deps.tokens.check(payload.token, { site, origin, url, now }),
    deps.attestation.check(payload.att, { site, origin, now }),
  ]);
  const nonces = [token.nonce, attestation.nonce].filter((n): n is string => typeof n === 'string');
  return { token: token.outcome, attestation: attestation.outcome, nonces, tokenNonce: token.nonce, attestationNonce: attestation.nonce };
}

/** The credentials as they are once the store says some of their nonces were spent before. */
function asReplayed(credentials: Credentials, replayed: readonly string[]): Credentials {
  const spent = new Set(replayed);
  return {
    token: credentials.tokenNonce && spent.has(credentials.tokenNonce) ? { ...credentials.token, status: 'replayed' } : credentials.token,
    attestation: credentials.attestationNonce && spent.has(credentials.attestationNonce) ? { ...credentials.attestation, status: 'double_spent' } : credentials.attestation,
    nonces: credentials.nonces.filter((n) => !spent.has(n)),
  };
}

function buildEvent(deps: CollectDeps, input: EventInput, credentials: Credentials): EventRecord {
  const { req, payload, url, site, ip, visitorHash, now, cadence } = input;
  const signals = deriveSignals({
    rawHeaders: req.rawHeaders,
    ip,
    payload: { url: payload.url, ref: payload.ref, timing: payload.timing, seq: payload.seq, errors: payload.errors },
    site: { id: site.id, mode: site.mode, allowedOrigins: site.allowedOrigins, pageTokenRequired: site.pageTokenRequired },
    token: credentials.token,
    attestation: credentials.attestation,
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
    signals: signals as unknown as EventRecord['signals'],
    score: result.score,
    verdict: result.verdict,
    reasons: result.reasons,
    rulesVersion: active.version,
    overrideVersion: active.overrideVersion,
    shadow: shadow && active.shadow ? { score: shadow.score, verdict: shadow.verdict, reasons: shadow.reasons, version: active.shadow.version } : null,
    visitorHash,
    attestationCohort: payload.cohort === true,
    clientErrors: payload.errors ?? [],
    label: null,
    tokenValid: credentials.token.status === 'valid',
    ...(credentials.nonces.length ? { spentNonces: credentials.nonces } : {}),
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
  // Anything else on this path is a database call failing (site lookup, salt, limits):
  // answer 503 so the client retries, and log it, since a bug would land here too.
  log.warn({ err: error }, 'collect failed on a dependency');
  return new BeaconError('database_unavailable', 'the event store is unavailable, retry later', 5);
}
