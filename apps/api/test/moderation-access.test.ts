/**
 * Every moderation procedure is for platform admins only. The table has one row per procedure of
 * the real router (a procedure added without a row fails the first test), and each row is called
 * over HTTP by a logged-out client (UNAUTHORIZED), a logged-in user who is not an admin — even one
 * who owns a site (FORBIDDEN), and an admin, who gets past the gate (so the refusals above are the
 * gate's doing, not an accident of bad input). Plus what only the HTTP layer shows: field errors
 * from the rules schema reach the client flattened by path, and cross-site mutations are refused.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { DEFAULT_RULES } from '@tagward/trust';
import type { Types } from 'mongoose';
import { appRouter } from '../src/router/root.js';
import { stopAllBacktests, waitForBacktest } from '../src/services/moderation/backtest.js';
import type { AuditPageDto, BacktestJobDto, RulesStateDto } from '../src/services/moderation/dto.js';
import { codeOf, makeAdmin, signedUpClient, startTestApi, type ApiClient, type TestApi, type TestClient } from './helpers.js';
import { SCENARIOS, createSite, eventDocument, signalsFor } from './moderation-support.js';

interface Ids {
  siteId: string;
  eventId: string;
  jobId: string;
}

/**
 * One row per procedure: an input that is valid for it, and the exact code an admin gets (OK
 * unless the call is refused on its merits). Rows run in alphabetical order, which decides the
 * merits: `publish` comes before `saveDraft`, so there is no draft to publish yet. Calls go
 * through `call` by path (the way the table needs them anyway), so this file type-checks before
 * the router is registered.
 */
const TABLE: Record<string, { input: (ids: Ids) => unknown; admin?: string }> = {
  'moderation.rules': { input: () => ({ scope: 'global' }) },
  'moderation.versions': { input: (ids) => ({ scope: ids.siteId }) },
  'moderation.saveDraft': { input: () => ({ scope: 'global', rules: DEFAULT_RULES }) },
  'moderation.discardDraft': { input: (ids) => ({ scope: ids.siteId }) },
  'moderation.publish': { input: () => ({ scope: 'global', note: 'table test publish' }), admin: 'BAD_REQUEST' },
  // Nothing was published (publish ran first, with no draft): version 0 is already in force.
  'moderation.rollback': { input: () => ({ scope: 'global', version: 0, note: 'table test rollback' }), admin: 'BAD_REQUEST' },
  'moderation.setShadow': { input: () => ({ enabled: false }) },
  'moderation.catalogue': { input: () => undefined },
  'moderation.sites': { input: () => ({ q: 'Admin' }) },
  'moderation.startBacktest': { input: () => ({ window: { preset: '24h' } }) },
  'moderation.backtest': { input: (ids) => ({ jobId: ids.jobId }) },
  'moderation.backtests': { input: () => undefined },
  'moderation.cancelBacktest': { input: (ids) => ({ jobId: ids.jobId }) },
  'moderation.shadowCompare': { input: () => ({ window: { preset: '7d' } }) },
  'moderation.reviewQueue': { input: () => ({ verdict: 'suspect' }) },
  'moderation.label': { input: (ids) => ({ eventId: ids.eventId, value: 'fraud' }) },
  'moderation.metrics': { input: () => ({ includeSuspect: true }) },
  'moderation.auditLog': { input: () => ({ action: 'rules.' }) },
  'moderation.auditActions': { input: () => undefined },
};

type ProcedureDefs = Record<string, { _def: { type: 'query' | 'mutation' | 'subscription' } }>;
const PROCEDURES = appRouter._def.procedures as unknown as ProcedureDefs;
const PATHS = Object.keys(PROCEDURES).filter((p) => p.startsWith('moderation.')).sort();

function call(client: ApiClient, path: string, input: unknown): Promise<unknown> {
  let node: unknown = client;
  for (const key of path.split('.')) node = (node as Record<string, unknown>)[key];
  const proc = node as { query(i: unknown): Promise<unknown>; mutate(i: unknown): Promise<unknown> };
  return PROCEDURES[path]!._def.type === 'query' ? proc.query(input) : proc.mutate(input);
}

let api: TestApi;
let admin: TestClient;
let user: TestClient;
let ids: Ids;

beforeAll(async () => {
  api = await startTestApi('api_moderation_access');
  const adminAccount = await signedUpClient(api);
  // Platform admins must have two-factor on.
  await makeAdmin(api, adminAccount);
  admin = adminAccount;
  user = await signedUpClient(api);
  // The non-admin owns a site: being an owner must not open moderation.
  await user.trpc.sites.create.mutate({ name: 'Owner shop', mode: 'test' });
  const siteId: Types.ObjectId = await createSite(api.db, 'Admin-visible shop');
  const headless = SCENARIOS.find((s) => s.name === 'headless')!;
  const event = eventDocument({ siteId, receivedAt: new Date(Date.now() - 60_000), signals: signalsFor(headless) });
  await api.db.models.Event.collection.insertOne(event);
  const job = (await call(admin.trpc, 'moderation.startBacktest', { window: { preset: '24h' } })) as BacktestJobDto;
  await waitForBacktest(job.id);
  ids = { siteId: String(siteId), eventId: String(event._id), jobId: job.id };
});
afterAll(async () => {
  await stopAllBacktests();
  await api?.close();
});

test('the table has exactly one row per moderation procedure', () => {
  expect(PATHS.length).toBeGreaterThan(0);
  expect(Object.keys(TABLE).sort()).toEqual(PATHS);
});

describe('the gate', () => {
  test.each(PATHS)('%s answers UNAUTHORIZED to a logged-out caller', async (path) => {
    expect(await codeOf(call(api.client().trpc, path, TABLE[path]!.input(ids)))).toBe('UNAUTHORIZED');
  });

  test.each(PATHS)('%s answers FORBIDDEN to a logged-in user who is not an admin', async (path) => {
    const before = await api.db.models.AuditLog.countDocuments({});
    expect(await codeOf(call(user.trpc, path, TABLE[path]!.input(ids)))).toBe('FORBIDDEN');
    expect(await api.db.models.AuditLog.countDocuments({})).toBe(before);
  });

  test.each(PATHS)('%s lets an admin through', async (path) => {
    await stopAllBacktests(); // a backtest started by an earlier row would make startBacktest CONFLICT
    const code = await codeOf(call(admin.trpc, path, TABLE[path]!.input(ids)));
    // Exactly the row's code: a crash (INTERNAL_SERVER_ERROR) or a wrong refusal fails here.
    expect(code).toBe(TABLE[path]!.admin ?? 'OK');
  });
});

describe('over HTTP', () => {
  test('rules that fail the schema come back as field errors keyed by their path', async () => {
    const bad = { ...DEFAULT_RULES, thresholds: { trusted: 0.4, suspect: 0.5 }, weights: { ...DEFAULT_RULES.weights, referrer_absent: 0.2 } };
    try {
      await call(admin.trpc, 'moderation.saveDraft', { scope: 'global', rules: bad });
      expect.unreachable('the draft must be refused');
    } catch (error) {
      expect(error).toBeInstanceOf(TRPCClientError);
      const data = (error as TRPCClientError<typeof appRouter>).data as { code: string; zodError: { fieldErrors: Record<string, string[]> } | null };
      expect(data.code).toBe('BAD_REQUEST');
      expect(Object.keys(data.zodError?.fieldErrors ?? {}).sort()).toEqual(['thresholds.suspect', 'weights.referrer_absent']);
      expect(data.zodError?.fieldErrors['weights.referrer_absent']?.[0]).toMatch(/penalty/);
    }
  });

  test('an admin mutation from another site is refused by the CSRF guard', async () => {
    const cookie = [...admin.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const forged = api.client({ origin: 'https://evil.example', headers: { cookie } });
    expect(await codeOf(call(forged.trpc, 'moderation.setShadow', { enabled: false }))).toBe('FORBIDDEN');
  });

  test('an admin changes a threshold, backtests, publishes, and the version is in force', async () => {
    const draft = { ...DEFAULT_RULES, thresholds: { trusted: 0.65, suspect: 0.3 } };
    await call(admin.trpc, 'moderation.saveDraft', { scope: 'global', rules: draft });
    const job = (await call(admin.trpc, 'moderation.startBacktest', { window: { preset: '7d' } })) as BacktestJobDto;
    await waitForBacktest(job.id);
    const done = (await call(admin.trpc, 'moderation.backtest', { jobId: job.id })) as BacktestJobDto;
    expect(done.status).toBe('done');
    expect(done.rules.globalSource).toBe('draft');
    const state = (await call(admin.trpc, 'moderation.publish', { scope: 'global', note: 'raise trusted to 0.65' })) as RulesStateDto;
    expect(state.kind === 'global' && state.liveRules.thresholds.trusted).toBe(0.65);
    expect(await api.db.models.RulesVersion.countDocuments({ scope: 'global', status: 'published' })).toBe(1);
    const log = (await call(admin.trpc, 'moderation.auditLog', { action: 'rules.publish' })) as AuditPageDto;
    expect(log.items[0]).toMatchObject({ action: 'rules.publish', after: { note: 'raise trusted to 0.65' } });
  });
});
