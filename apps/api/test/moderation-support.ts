/**
 * Realistic stored events for the moderation tests and the backtest bench: signals derived by the
 * trust engine from the client header fixtures captured for it (real Chromium, curl, python
 * requests, Node fetch, Go…), scored with the shipped defaults the way the beacon stores them.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '@tagward/db';
import { DEFAULT_RULES, deriveSignals, score, type Rules, type Signals, type Verdict } from '@tagward/trust';
import { Types } from 'mongoose';
// The trust package exports the client fixtures captured for its tests; they are the most
// realistic signals there are, so the bench and these tests reuse them rather than invent others.
import * as F from '@tagward/trust/fixtures';

export interface Scenario {
  name: string;
  /** Relative frequency in a realistic mix. */
  weight: number;
  facts: F.FactsOverrides;
}

const EVIL = F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: 'https://evil.example.net', Referer: 'https://evil.example.net/' });

/** Mostly real browsers, a tail of scripted and forged traffic. */
export const SCENARIOS: Scenario[] = [
  { name: 'chromium', weight: 30, facts: {} },
  { name: 'chromium-token', weight: 25, facts: { token: F.VALID_TOKEN } },
  { name: 'chromium-keepalive', weight: 6, facts: { headers: F.CHROMIUM_FETCH_KEEPALIVE, token: F.VALID_TOKEN } },
  { name: 'android', weight: 8, facts: { headers: F.CHROME_ANDROID_SEND_BEACON } },
  { name: 'firefox', weight: 8, facts: { headers: F.FIREFOX_SEND_BEACON } },
  { name: 'safari', weight: 6, facts: { headers: F.SAFARI_SEND_BEACON } },
  { name: 'headless', weight: 3, facts: { headers: F.HEADLESS_CHROMIUM_SEND_BEACON } },
  { name: 'curl', weight: 3, facts: { headers: F.CURL_FORGED_ORIGIN } },
  { name: 'curl-dressed', weight: 2, facts: { headers: F.CURL_DRESSED_AS_CHROME } },
  { name: 'python', weight: 2, facts: { headers: F.PYTHON_REQUESTS } },
  { name: 'python-dressed', weight: 2, facts: { headers: F.PYTHON_REQUESTS_DRESSED_AS_CHROME } },
  { name: 'undici-dressed', weight: 1, facts: { headers: F.UNDICI_DRESSED_AS_CHROME } },
  { name: 'go-dressed', weight: 1, facts: { headers: F.GO_DRESSED_AS_CHROME } },
  { name: 'wrong-origin', weight: 1, facts: { headers: EVIL, payload: { url: 'https://evil.example.net/' } } },
  { name: 'replayed', weight: 1, facts: { token: { status: 'replayed', ageMs: 4000, ttlMs: 600_000 } } },
  { name: 'burst', weight: 1, facts: { cadence: { countLastMinute: 80, intervalsMs: [500, 500, 500, 500, 500, 500], identicalTimings: 3 } } },
];

export function signalsFor(scenario: Scenario): Signals {
  return deriveSignals(F.facts(scenario.facts));
}

export interface StoredEventInput {
  siteId: Types.ObjectId;
  receivedAt: Date;
  signals: Signals;
  /** Rules that scored it live (default: the shipped defaults). */
  rules?: Rules;
  rulesVersion?: number;
  path?: string;
  label?: { value: 'fraud' | 'legit'; by: Types.ObjectId; at: Date } | null;
  shadow?: { rules: Rules; version: number } | null;
  /** The embed script's DOM check results (default: none). */
  checks?: Array<{ id: string; pass: boolean; value?: number | string | null }>;
  /** Drawn into the attestation cohort (default: no). */
  attestationCohort?: boolean;
}

/**
 * Random bytes from a pooled buffer: a million `randomBytes(12)` calls cost ~20 µs each here
 * (one syscall apiece), which made seeding the benches slower than inserting.
 */
const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let poolAt = 0;
function randomToken(bytes: number, encoding: 'base64url' | 'hex'): string {
  if (poolAt + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolAt = 0;
  }
  poolAt += bytes;
  return pool.toString(encoding, poolAt - bytes, poolAt);
}

/** One document exactly as the beacon stores it. */
export function eventDocument(input: StoredEventInput) {
  const rules = input.rules ?? DEFAULT_RULES;
  const result = score(input.signals, rules);
  const shadow = input.shadow ? score(input.signals, input.shadow.rules) : null;
  const path = input.path ?? '/products/42';
  return {
    _id: new Types.ObjectId(),
    siteId: input.siteId,
    eventId: randomToken(12, 'base64url'),
    receivedAt: input.receivedAt,
    page: { url: `https://shop.example.com${path}`, path, referrer: 'https://www.google.com/' },
    checks: input.checks ?? [],
    signals: input.signals,
    score: result.score,
    verdict: result.verdict as Verdict,
    reasons: result.reasons,
    rulesVersion: input.rulesVersion ?? rules.version,
    overrideVersion: null,
    tokenValid: input.signals.token.status === 'valid',
    clientErrors: [],
    visitorHash: randomToken(8, 'hex'),
    shadow: shadow && input.shadow ? { score: shadow.score, verdict: shadow.verdict, reasons: shadow.reasons, version: input.shadow.version } : null,
    attestationCohort: input.attestationCohort ?? false,
    label: input.label ?? null,
  };
}

/** A deterministic pseudo-random generator (mulberry32), so seeded data is the same every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks scenarios by weight; the signals of each are derived once and shared. */
export function scenarioPicker(seed: number): () => { scenario: Scenario; signals: Signals } {
  const random = rng(seed);
  const pool = SCENARIOS.map((scenario) => ({ scenario, signals: signalsFor(scenario) }));
  const total = SCENARIOS.reduce((sum, s) => sum + s.weight, 0);
  return () => {
    let r = random() * total;
    for (const entry of pool) {
      r -= entry.scenario.weight;
      if (r < 0) return entry;
    }
    return pool[pool.length - 1]!;
  };
}

export async function createSite(db: Database, name: string): Promise<Types.ObjectId> {
  const site = await db.models.Site.create({
    name,
    publicKey: `pk_test_${randomBytes(12).toString('hex')}`,
    mode: 'test',
    allowedOrigins: ['https://shop.example.com'],
    members: [],
  });
  return site._id;
}

/**
 * Inserts `count` events spread over `[from, to)` in big unordered batches, `sites` round-robin.
 * Returns how many were stored per scenario name.
 */
export async function seedEvents(
  db: Database,
  options: { count: number; sites: Types.ObjectId[]; from: Date; to: Date; seed?: number; batch?: number; onBatch?: (done: number) => void },
): Promise<Map<string, number>> {
  const pick = scenarioPicker(options.seed ?? 1);
  const span = options.to.getTime() - options.from.getTime();
  const batchSize = options.batch ?? 5_000;
  const perScenario = new Map<string, number>();
  for (let done = 0; done < options.count; ) {
    const n = Math.min(batchSize, options.count - done);
    const docs = [];
    for (let i = 0; i < n; i += 1) {
      const { scenario, signals } = pick();
      perScenario.set(scenario.name, (perScenario.get(scenario.name) ?? 0) + 1);
      const siteId = options.sites[(done + i) % options.sites.length]!;
      const receivedAt = new Date(options.from.getTime() + Math.floor(((done + i) / options.count) * span));
      docs.push(eventDocument({ siteId, receivedAt, signals }));
    }
    await db.models.Event.collection.insertMany(docs, { ordered: false });
    done += n;
    options.onBatch?.(done);
  }
  return perScenario;
}
