import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { DEFAULT_RULES, score, type Rules, type Verdict } from '@tagward/trust';
import { Types } from 'mongoose';
import { confusion, isPredictedPositive } from '../src/services/moderation/metrics.js';
import { labelEvent, reviewMetrics, reviewQueue } from '../src/services/moderation/review.js';
import { compareShadow } from '../src/services/moderation/shadow.js';
import { listAudit, listAuditActions } from '../src/services/moderation/audit-log.js';
import { publishDraft, saveDraft, setShadow } from '../src/services/moderation/rules.js';
import { SCENARIOS, createSite, eventDocument, signalsFor } from './moderation-support.js';

let db: TestDatabase;
let admin: { id: string };
let other: { id: string };
let site: Types.ObjectId;
const HOUR = 3_600_000;
const now = new Date('2026-04-01T12:00:00Z');
const signals = (name: string) => signalsFor(SCENARIOS.find((s) => s.name === name)!);

beforeAll(async () => {
  db = await createTestDatabase('moderation_review');
  const a = await db.models.User.create({ email: 'reviewer@example.com', passwordHash: 'x', role: 'admin' });
  const b = await db.models.User.create({ email: 'second@example.com', passwordHash: 'x', role: 'admin' });
  admin = { id: String(a._id) };
  other = { id: String(b._id) };
  site = await createSite(db, 'Review shop');
});
afterAll(async () => {
  await db?.dispose();
});
beforeEach(async () => {
  await db.models.Event.collection.drop().catch(() => undefined);
  await db.models.RulesVersion.deleteMany({});
  await db.models.AuditLog.deleteMany({});
});

async function store(name: string, count: number, extra: Partial<Parameters<typeof eventDocument>[0]> = {}, minutesAgo = 60) {
  const docs = Array.from({ length: count }, (_, i) =>
    eventDocument({ siteId: site, receivedAt: new Date(now.getTime() - (minutesAgo + i) * 60_000), signals: signals(name), ...extra }),
  );
  await db.models.Event.collection.insertMany(docs);
  return docs;
}

describe('precision and recall', () => {
  const row = (label: 'fraud' | 'legit', verdict: Verdict, count = 1) => ({ label, verdict, count });

  test.each([
    ['all correct', [row('fraud', 'fraud', 3), row('legit', 'trusted', 5)], false, { tp: 3, fp: 0, fn: 0, tn: 5, precision: 1, recall: 1 }],
    ['a false alarm', [row('fraud', 'fraud', 3), row('legit', 'fraud', 1)], false, { tp: 3, fp: 1, fn: 0, tn: 0, precision: 0.75, recall: 1 }],
    ['a miss', [row('fraud', 'fraud', 1), row('fraud', 'trusted', 3)], false, { tp: 1, fp: 0, fn: 3, tn: 0, precision: 1, recall: 0.25 }],
    ['suspect not counted', [row('fraud', 'suspect', 2), row('legit', 'suspect', 2)], false, { tp: 0, fp: 0, fn: 2, tn: 2, precision: null, recall: 0 }],
    ['suspect counted', [row('fraud', 'suspect', 2), row('legit', 'suspect', 2)], true, { tp: 2, fp: 2, fn: 0, tn: 0, precision: 0.5, recall: 1 }],
    ['no fraud labels', [row('legit', 'trusted', 4)], false, { tp: 0, fp: 0, fn: 0, tn: 4, precision: null, recall: null }],
  ] as const)('%s', (_name, rows, includeSuspect, expected) => {
    expect(confusion(rows, includeSuspect)).toEqual({ ...expected, labeled: expected.tp + expected.fp + expected.fn + expected.tn });
  });

  test('precision and recall stay in [0, 1], the cells add up, and counting suspect never lowers recall', () => {
    const rowArb = fc.record({
      label: fc.constantFrom('fraud' as const, 'legit' as const),
      verdict: fc.constantFrom<Verdict>('trusted', 'suspect', 'fraud'),
      count: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 30 }), (rows) => {
        const strict = confusion(rows, false);
        const loose = confusion(rows, true);
        for (const m of [strict, loose]) {
          expect(m.tp + m.fp + m.fn + m.tn).toBe(rows.reduce((s, r) => s + r.count, 0));
          for (const v of [m.precision, m.recall]) if (v !== null) expect(v >= 0 && v <= 1).toBe(true);
        }
        if (strict.recall !== null && loose.recall !== null) expect(loose.recall).toBeGreaterThanOrEqual(strict.recall);
      }),
    );
  });

  test.each<[Verdict, boolean, boolean]>([
    ['fraud', false, true],
    ['suspect', false, false],
    ['suspect', true, true],
    ['trusted', true, false],
  ])('a %s verdict (suspect counted: %s) is predicted positive: %s', (verdict, includeSuspect, expected) => {
    expect(isPredictedPositive(verdict, includeSuspect)).toBe(expected);
  });
});

describe('review queue and labels', () => {
  test('the queue lists unlabelled suspect events newest first, page by page', async () => {
    await store('chromium', 3);
    const suspects = await store('headless', 5);
    await store('curl', 2);
    const first = await reviewQueue(db, { verdict: 'suspect', status: 'unlabeled' }, { limit: 3 });
    expect(first.items.map((i) => i.verdict)).toEqual(['suspect', 'suspect', 'suspect']);
    expect(first.nextCursor).not.toBeNull();
    const second = await reviewQueue(db, { verdict: 'suspect', status: 'unlabeled' }, { cursor: first.nextCursor, limit: 3 });
    expect(second.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items].map((i) => i.id);
    expect(ids).toEqual(suspects.map((d) => String(d._id))); // stored 1 minute apart, newest first
    const item = first.items[0]!;
    expect(item.siteName).toBe('Review shop');
    expect(item.reasons.map((r) => r.code)).toContain('ua_automation');
    expect(item.facts.find((f) => f.label === 'Browser family')?.value).toBe('automation');
  });

  test('a label records who and when, leaves the queue, and can be cleared; each change is audited', async () => {
    const [event] = await store('headless', 1);
    const id = String(event!._id);
    const labelled = await labelEvent(db, admin, id, 'fraud', now);
    expect(labelled.label).toEqual({ value: 'fraud', by: admin.id, byEmail: 'reviewer@example.com', at: now.toISOString() });
    expect((await reviewQueue(db, { verdict: 'suspect', status: 'unlabeled' }, { limit: 10 })).items).toHaveLength(0);
    expect((await reviewQueue(db, { status: 'labeled' }, { limit: 10 })).items.map((i) => i.id)).toEqual([id]);
    const relabelled = await labelEvent(db, other, id, 'legit', new Date(now.getTime() + 1000));
    expect(relabelled.label?.byEmail).toBe('second@example.com');
    await labelEvent(db, admin, id, null, new Date(now.getTime() + 2000));
    expect((await db.models.Event.findById(id).lean())?.label).toBeNull();
    const entries = await db.models.AuditLog.find({ action: 'event.label', target: id }).sort({ at: 1 }).lean();
    expect(entries.map((e) => [e.before, e.after])).toEqual([
      [null, { value: 'fraud', by: admin.id }],
      [{ value: 'fraud', by: admin.id }, { value: 'legit', by: other.id }],
      [{ value: 'legit', by: other.id }, null],
    ]);
    await expect(labelEvent(db, admin, String(new Types.ObjectId()), 'fraud', now)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('precision and recall per version: as scored live, and every labelled event re-scored by each version', async () => {
    // Live under version 3 (scored with the defaults): 4 headless (suspect), 3 curl (fraud), 5 chromium (trusted).
    const v3 = { ...DEFAULT_RULES, version: 3 };
    const headless = await store('headless', 4, { rules: v3 });
    const curl = await store('curl', 3, { rules: v3 });
    const chromium = await store('chromium', 5, { rules: v3 });
    for (const d of headless.slice(0, 3)) await labelEvent(db, admin, String(d._id), 'fraud', now);
    await labelEvent(db, admin, String(headless[3]!._id), 'legit', now);
    await labelEvent(db, admin, String(curl[0]!._id), 'fraud', now);
    await labelEvent(db, admin, String(curl[1]!._id), 'legit', now);
    for (const d of chromium.slice(0, 2)) await labelEvent(db, admin, String(d._id), 'legit', now);

    const strict = await reviewMetrics(db, false);
    expect(strict.labels).toEqual({ fraud: 4, legit: 4 });
    // Fraud verdicts: curl[0] (fraud, TP) and curl[1] (legit, FP); the 3 headless frauds are missed.
    expect(strict.live).toEqual([{ version: 3, tp: 1, fp: 1, fn: 3, tn: 3, labeled: 8, precision: 0.5, recall: 0.25 }]);
    const loose = await reviewMetrics(db, true);
    // Suspect counts too: the headless ones become 3 TP and 1 FP.
    expect(loose.live).toEqual([{ version: 3, tp: 4, fp: 2, fn: 0, tn: 2, labeled: 8, precision: 4 / 6, recall: 1 }]);

    // A draft that calls automation user agents fraud catches the headless ones without suspect.
    const draft: Rules = { ...DEFAULT_RULES, weights: { ...DEFAULT_RULES.weights, ua_automation: -0.5 } };
    expect(score(signals('headless'), draft).verdict).toBe('fraud');
    await saveDraft(db, admin, 'global', draft, now);
    const withDraft = await reviewMetrics(db, false);
    expect(withDraft.rescoredEvents).toBe(8);
    const byVersion = new Map(withDraft.rescored.map((m) => [m.version, m]));
    expect(byVersion.get(1)).toMatchObject({ status: 'draft', tp: 4, fp: 2, fn: 0, tn: 2, precision: 4 / 6, recall: 1 });
    expect(byVersion.get(0)).toMatchObject({ status: 'default', tp: 1, fp: 1, fn: 3, tn: 3 });
  });
});

describe('shadow comparison', () => {
  test('the agreement matrix counts live verdict against shadow verdict and samples the disagreements', async () => {
    const draft: Rules = { ...DEFAULT_RULES, version: 1, weights: { ...DEFAULT_RULES.weights, ua_automation: -0.5 } };
    await saveDraft(db, admin, 'global', draft, now);
    await setShadow(db, admin, true, now);
    const shadow = { rules: draft, version: 1 };
    await store('chromium', 6, { shadow });
    const flipped = await store('headless', 3, { shadow });
    await store('curl', 2, { shadow });
    await store('headless', 4, { shadow: null }); // before shadow mode: not compared
    await store('chromium', 2, { shadow }, 60 * 30); // outside the window

    const result = await compareShadow(db, { from: new Date(now.getTime() - 24 * HOUR), to: now });
    expect(result.activeVersion).toBe(1);
    expect(result.version).toBe(1);
    expect(result.versions).toEqual([{ version: 1, events: 11 }]);
    expect(result.total).toBe(11);
    expect(result.agreement).toBeCloseTo(8 / 11, 10);
    const cell = (live: Verdict, s: Verdict) => result.matrix.find((c) => c.live === live && c.shadow === s)?.count;
    expect(cell('trusted', 'trusted')).toBe(6);
    expect(cell('suspect', 'fraud')).toBe(3);
    expect(cell('fraud', 'fraud')).toBe(2);
    expect(result.matrix.reduce((s, c) => s + c.count, 0)).toBe(11);
    expect(result.disagreements.map((d) => d.id).sort()).toEqual(flipped.map((d) => String(d._id)).sort());
    expect(result.disagreements[0]).toMatchObject({ live: { verdict: 'suspect' }, shadow: { verdict: 'fraud', reasons: ['ua_automation'] }, siteName: 'Review shop' });
  });

  test('without shadow events the comparison is empty, not an error', async () => {
    const result = await compareShadow(db, { from: new Date(now.getTime() - HOUR), to: now });
    expect(result).toMatchObject({ total: 0, agreement: null, version: null, disagreements: [] });
  });
});

describe('audit log', () => {
  test('entries are listed newest first and filtered by action, actor and time', async () => {
    const t = (m: number) => new Date(now.getTime() + m * 60_000);
    await saveDraft(db, admin, 'global', DEFAULT_RULES, t(0));
    await publishDraft(db, admin, 'global', 'first version', t(1));
    await saveDraft(db, other, 'global', { ...DEFAULT_RULES, base: 0.75 }, t(2));
    const [event] = await store('headless', 1);
    await labelEvent(db, other, String(event!._id), 'fraud', t(3));

    const all = await listAudit(db, {}, { limit: 10 });
    expect(all.items.map((e) => e.action)).toEqual(['event.label', 'rules.draft.save', 'rules.publish', 'rules.draft.save']);
    expect(all.items[0]).toMatchObject({ actorEmail: 'second@example.com', target: String(event!._id), after: { value: 'fraud' } });
    const rulesOnly = await listAudit(db, { action: 'rules.' }, { limit: 10 });
    expect(rulesOnly.items.map((e) => e.action)).toEqual(['rules.draft.save', 'rules.publish', 'rules.draft.save']);
    expect((await listAudit(db, { action: 'rules.publish' }, { limit: 10 })).items).toHaveLength(1);
    expect((await listAudit(db, { actorEmail: 'REVIEWER@example.com' }, { limit: 10 })).items.map((e) => e.action)).toEqual(['rules.publish', 'rules.draft.save']);
    expect((await listAudit(db, { actorEmail: 'nobody@example.com' }, { limit: 10 })).items).toEqual([]);
    expect((await listAudit(db, { from: t(1), to: t(3) }, { limit: 10 })).items.map((e) => e.action)).toEqual(['rules.draft.save', 'rules.publish']);
    const page1 = await listAudit(db, {}, { limit: 3 });
    const page2 = await listAudit(db, {}, { cursor: page1.nextCursor, limit: 3 });
    expect([...page1.items, ...page2.items].map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    expect(page2.nextCursor).toBeNull();
    expect(await listAuditActions(db)).toEqual(['event.label', 'rules.draft.save', 'rules.publish']);
  });
});
