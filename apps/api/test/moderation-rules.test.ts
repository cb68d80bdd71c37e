import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ServiceError } from '../src/services/errors.js';
import { z, ZodError } from 'zod';
import { readRulesInForce } from '@tagward/db';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { DEFAULT_RULES, type Rules } from '@tagward/trust';
import {
  discardDraft,
  draftSnapshot,
  getRulesState,
  listVersions,
  publishDraft,
  rollback,
  saveDraft,
  setShadow,
} from '../src/services/moderation/rules.js';
import { createSite } from './moderation-support.js';

let db: TestDatabase;
let admin: { id: string };
const now = () => new Date();

beforeAll(async () => {
  db = await createTestDatabase('moderation_rules');
  const user = await db.models.User.create({ email: 'rules-admin@example.com', passwordHash: 'x', role: 'admin' });
  admin = { id: String(user._id) };
});
afterAll(async () => {
  await db?.dispose();
});
beforeEach(async () => {
  await db.models.RulesVersion.deleteMany({});
  await db.models.AuditLog.deleteMany({});
});

function withThreshold(trusted: number): Rules {
  return { ...DEFAULT_RULES, thresholds: { ...DEFAULT_RULES.thresholds, trusted } };
}

async function published(scope = 'global') {
  return db.models.RulesVersion.find({ scope, status: 'published' }).lean();
}

/** The field errors a client receives: the API's formatter runs `z.flattenError` on the cause. */
async function fieldErrorsOf(promise: Promise<unknown>): Promise<Record<string, string[] | undefined>> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).code).toBe('BAD_REQUEST');
    const cause = (error as ServiceError).cause;
    expect(cause).toBeInstanceOf(ZodError);
    return z.flattenError(cause as ZodError).fieldErrors as Record<string, string[] | undefined>;
  }
  throw new Error('expected a validation error');
}

describe('drafts and publishing', () => {
  test('without any document the global rules in force are the defaults, version 0', async () => {
    const state = await getRulesState(db, 'global');
    expect(state.kind).toBe('global');
    expect(state.liveVersion).toBe(0);
    expect(state.liveRules).toEqual(DEFAULT_RULES);
    expect(state.draft).toBeNull();
  });

  test('saving a draft creates version 1 as a draft and leaves nothing published', async () => {
    const state = await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    expect(state.draft?.version).toBe(1);
    expect(state.draft?.status).toBe('draft');
    expect(state.kind === 'global' && state.draftRules?.thresholds.trusted).toBe(0.65);
    expect(state.kind === 'global' && state.draftRules?.version).toBe(1);
    expect(await published()).toHaveLength(0);
    const again = await saveDraft(db, admin, 'global', withThreshold(0.66), now());
    expect(again.draft?.version).toBe(1);
    expect(await db.models.RulesVersion.countDocuments({ scope: 'global', status: 'draft' })).toBe(1);
  });

  test.each<[string, (r: Rules) => unknown, string]>([
    ['a penalty weight above 0', (r) => ({ ...r, weights: { ...r.weights, origin_missing: 0.5 } }), 'weights.origin_missing'],
    ['thresholds in the wrong order', (r) => ({ ...r, thresholds: { trusted: 0.4, suspect: 0.5 } }), 'thresholds.suspect'],
    ['a trusted threshold above base', (r) => ({ ...r, thresholds: { trusted: 0.9, suspect: 0.3 } }), 'thresholds.trusted'],
    ['a malformed CIDR in the IP blocklist', (r) => ({ ...r, hard: { ...r.hard, blockIps: ['10.0.0.0/33'] } }), 'hard.blockIps.0'],
    ['a user-agent pattern too short', (r) => ({ ...r, hard: { ...r.hard, blockUserAgents: ['x'] } }), 'hard.blockUserAgents.0'],
    ['an origin pattern with a path', (r) => ({ ...r, hard: { ...r.hard, blockOrigins: ['https://evil.example/path'] } }), 'hard.blockOrigins.0'],
    ['an unknown field', (r) => ({ ...r, surprise: true }), ''],
  ])('a draft with %s is refused with the error keyed by its field', async (_name, change, field) => {
    const errors = await fieldErrorsOf(saveDraft(db, admin, 'global', change(DEFAULT_RULES), now()));
    if (field) expect(Object.keys(errors)).toContain(field);
    expect(await db.models.RulesVersion.countDocuments({})).toBe(0);
  });

  test('publishing needs a change note and a draft', async () => {
    await expect(publishDraft(db, admin, 'global', 'tighten', now())).rejects.toThrow(/no draft/i);
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    await expect(publishDraft(db, admin, 'global', '  ', now())).rejects.toThrow(/what changed/i);
  });

  test('publishing makes the draft the one published version and archives the previous one', async () => {
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    const first = await publishDraft(db, admin, 'global', 'first tightening', now());
    expect(first.liveVersion).toBe(1);
    expect(first.draft).toBeNull();
    await saveDraft(db, admin, 'global', withThreshold(0.68), now());
    const second = await publishDraft(db, admin, 'global', 'second tightening', now());
    expect(second.liveVersion).toBe(2);
    expect(second.kind === 'global' && second.liveRules.thresholds.trusted).toBe(0.68);
    const rows = await db.models.RulesVersion.find({ scope: 'global' }).sort({ version: 1 }).lean();
    expect(rows.map((r) => [r.version, r.status, r.note])).toEqual([
      [1, 'archived', 'first tightening'],
      [2, 'published', 'second tightening'],
    ]);
    const actions = (await db.models.AuditLog.find({}).sort({ at: 1, _id: 1 }).lean()).map((a) => a.action);
    expect(actions).toEqual(['rules.draft.save', 'rules.publish', 'rules.draft.save', 'rules.publish']);
    const publish = await db.models.AuditLog.findOne({ action: 'rules.publish' }).sort({ _id: -1 }).lean();
    expect(publish?.before).toMatchObject({ version: 1 });
    expect(publish?.after).toMatchObject({ version: 2, note: 'second tightening' });
    expect(String(publish?.actorId)).toBe(admin.id);
  });

  // The reader is the beacon's (readRulesInForce). A plain find crossing a publish's commit can
  // see the new version still a draft and the old one already archived: none published (a fresh
  // clone's CI run met it once; 9 of 23,763 plain reads during 900 publishes on a loaded machine, none of 24,000 in a transaction).
  test('a reader polling during a series of publishes never sees zero published versions', async () => {
    await saveDraft(db, admin, 'global', withThreshold(0.61), now());
    await publishDraft(db, admin, 'global', 'start', now());
    let stop = false;
    const seen: number[][] = [];
    const reader = (async () => {
      while (!stop) {
        const rows = (await readRulesInForce(db)).published.get('global') ?? [];
        seen.push(rows.map((r) => r.version).sort((a, b) => a - b));
      }
    })();
    for (let i = 0; i < 20; i += 1) {
      await saveDraft(db, admin, 'global', withThreshold(0.62 + (i % 8) / 100), now());
      await publishDraft(db, admin, 'global', `step ${i}`, now());
    }
    stop = true;
    await reader;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((versions) => versions.length >= 1)).toBe(true);
    // "Highest published wins" is monotonic for the reader.
    const highest = seen.map((versions) => versions[versions.length - 1]!);
    expect(highest).toEqual([...highest].sort((a, b) => a - b));
    expect(await published()).toHaveLength(1);
  });

  test('discarding the draft removes it and records the action', async () => {
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    const state = await discardDraft(db, admin, 'global', now());
    expect(state.draft).toBeNull();
    expect(await db.models.AuditLog.countDocuments({ action: 'rules.draft.discard' })).toBe(1);
    // Discarding again is a no-op, not an error, and records nothing.
    expect((await discardDraft(db, admin, 'global', now())).draft).toBeNull();
    expect(await db.models.AuditLog.countDocuments({ action: 'rules.draft.discard' })).toBe(1);
  });
});

describe('rollback', () => {
  test('rolling back publishes a copy of the older version as a new version', async () => {
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    await publishDraft(db, admin, 'global', 'version one', now());
    await saveDraft(db, admin, 'global', withThreshold(0.69), now());
    await publishDraft(db, admin, 'global', 'version two', now());
    await expect(rollback(db, admin, 'global', 1, '', now())).rejects.toThrow(/what changed/i);
    await expect(rollback(db, admin, 'global', 2, 'noop', now())).rejects.toThrow(/already in force/);
    await expect(rollback(db, admin, 'global', 7, 'nope', now())).rejects.toThrow(/never published/);

    const state = await rollback(db, admin, 'global', 1, 'v2 quarantined real visitors', now());
    expect(state.liveVersion).toBe(3);
    const rows = await db.models.RulesVersion.find({ scope: 'global' }).sort({ version: 1 }).lean();
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      [1, 'archived'],
      [2, 'archived'],
      [3, 'published'],
    ]);
    const v1 = rows[0]!.rules as Rules;
    const v3 = rows[2]!.rules as Rules;
    expect({ ...v3, version: 1 }).toEqual(v1);
    expect(v3.version).toBe(3);
    expect(rows[2]!.note).toBe('Rollback to v1: v2 quarantined real visitors');
    const entry = await db.models.AuditLog.findOne({ action: 'rules.rollback' }).lean();
    expect(entry?.before).toMatchObject({ version: 2 });
    expect(entry?.after).toMatchObject({ version: 3, from: 1 });
  });

  test('rolling back to version 0 restores the built-in defaults', async () => {
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    await publishDraft(db, admin, 'global', 'version one', now());
    const state = await rollback(db, admin, 'global', 0, 'back to defaults', now());
    expect(state.liveVersion).toBe(2);
    expect(state.kind === 'global' && { ...state.liveRules, version: DEFAULT_RULES.version }).toEqual(DEFAULT_RULES);
  });

  test('a draft older than a rollback is published above it, never below', async () => {
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    await publishDraft(db, admin, 'global', 'version one', now());
    await saveDraft(db, admin, 'global', withThreshold(0.66), now()); // draft v2
    await saveDraft(db, admin, 'global', withThreshold(0.66), now());
    await rollback(db, admin, 'global', 0, 'emergency', now()); // published v3
    const state = await publishDraft(db, admin, 'global', 'the draft after all', now());
    expect(state.liveVersion).toBe(4);
    expect(state.kind === 'global' && state.liveRules.version).toBe(4);
    expect((await published()).map((r) => r.version)).toEqual([4]);
    expect(await listVersions(db, 'global')).toHaveLength(3);
  });
});

describe('site overrides', () => {
  test('an override is versioned in its own scope and merged for backtests', async () => {
    const siteId = String(await createSite(db, 'Override shop'));
    const state = await saveDraft(db, admin, siteId, { hard: { pageTokenRequired: true } }, now());
    expect(state.kind).toBe('override');
    expect(state.siteName).toBe('Override shop');
    await publishDraft(db, admin, siteId, 'this shop mints tokens', now());
    const snapshot = await draftSnapshot(db);
    expect(snapshot.overrides).toEqual([{ siteId, version: 1, source: 'published', rules: { hard: { pageTokenRequired: true } } }]);
    expect((await published(siteId)).map((r) => r.version)).toEqual([1]);
  });

  test('an override that cannot merge with the global rules is refused beside its field', async () => {
    const siteId = String(await createSite(db, 'Broken override'));
    const errors = await fieldErrorsOf(saveDraft(db, admin, siteId, { thresholds: { trusted: 0.95 } }, now()));
    expect(Object.keys(errors)).toContain('thresholds.trusted');
  });

  test('global rules that would break a published override are refused', async () => {
    const siteId = String(await createSite(db, 'Strict shop'));
    await saveDraft(db, admin, siteId, { thresholds: { trusted: 0.7 } }, now());
    await publishDraft(db, admin, siteId, 'strict', now());
    await saveDraft(db, admin, 'global', { ...DEFAULT_RULES, base: 0.65, thresholds: { trusted: 0.6, suspect: 0.3 } }, now());
    await expect(publishDraft(db, admin, 'global', 'lower base', now())).rejects.toThrow(/Strict shop/);
    expect(await published('global')).toHaveLength(0);
  });

  test('an unknown site scope is NOT_FOUND', async () => {
    await expect(getRulesState(db, '0123456789abcdef01234567')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('shadow mode', () => {
  test('shadow mode needs a draft, flags it, and ends when the draft is published', async () => {
    await expect(setShadow(db, admin, true, now())).rejects.toThrow(/create a draft/);
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    const on = await setShadow(db, admin, true, now());
    expect(on.draft?.shadow).toBe(true);
    // The beacon's query for the shadow draft (apps/beacon rules-cache.ts).
    expect(await db.models.RulesVersion.countDocuments({ scope: 'global', status: 'draft', shadow: true })).toBe(1);
    await publishDraft(db, admin, 'global', 'shadow looked good', now());
    expect(await db.models.RulesVersion.countDocuments({ shadow: true })).toBe(0);
    const actions = (await db.models.AuditLog.find({}).sort({ at: 1, _id: 1 }).lean()).map((a) => a.action);
    expect(actions).toEqual(['rules.draft.save', 'rules.shadow.on', 'rules.publish']);
  });

  test('turning shadow mode off keeps the draft', async () => {
    await saveDraft(db, admin, 'global', withThreshold(0.65), now());
    await setShadow(db, admin, true, now());
    const off = await setShadow(db, admin, false, now());
    expect(off.draft?.shadow).toBe(false);
    expect(await db.models.AuditLog.countDocuments({ action: 'rules.shadow.off' })).toBe(1);
  });
});
