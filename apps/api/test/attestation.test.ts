import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Types } from 'mongoose';
import { addMemberByInvitation, codeOf, signedUpClient, startTestApi, type SignedUpClient, type TestApi } from './helpers.js';
import { HOUR_MS, recordEvents, type FakeEvent } from './support/record-events.js';
import { attackerCost, confusion } from '../src/services/attestation.js';

const NOW = new Date('2030-06-15T12:30:00Z');
let api: TestApi;
let owner: SignedUpClient;
let siteId: string;

type Status = 'valid' | 'invalid' | 'double_spent' | 'wrong_origin' | 'expired_key' | 'absent';
interface Seed extends FakeEvent {
  label?: 'fraud' | 'legit';
}

const ev = (hoursAgo: number, verdict: FakeEvent['verdict'], score: number, over: { cohort?: Status | 'unrecorded'; label?: 'fraud' | 'legit' } = {}): Seed => {
  const signals: Record<string, unknown> = { v: 1, mode: 'live', origin: { value: 'https://shop.example', status: 'allowed', canonical: true } };
  // 'unrecorded': a cohort event stored without an attestation outcome (counted as absent).
  if (over.cohort && over.cohort !== 'unrecorded') signals.attestation = { status: over.cohort };
  else if (!over.cohort) signals.attestation = { status: 'absent' };
  return {
    receivedAt: new Date(NOW.getTime() - hoursAgo * HOUR_MS),
    path: '/',
    verdict,
    score,
    attestationCohort: over.cohort !== undefined,
    signals,
    label: over.label,
  };
};

const SEEDS: Seed[] = [
  // The cohort.
  ev(1, 'trusted', 0.95, { cohort: 'valid', label: 'legit' }), // tn
  ev(1, 'trusted', 0.91, { cohort: 'valid', label: 'fraud' }), // fn
  ev(2, 'suspect', 0.55, { cohort: 'double_spent', label: 'fraud' }), // tp
  ev(2, 'fraud', 0.05, { cohort: 'invalid' }),
  ev(3, 'trusted', 0.97, { cohort: 'unrecorded' }),
  // The rest.
  ev(1, 'trusted', 0.95, { label: 'legit' }), // tn
  ev(1, 'trusted', 0.85),
  ev(2, 'suspect', 0.45, { label: 'legit' }), // fp
  ev(3, 'fraud', 0.15, { label: 'fraud' }), // tp
  ev(3, 'fraud', 0.02, { label: 'fraud' }), // tp
  // 30 hours ago: outside the 24h range, inside 30d.
  ev(30, 'trusted', 0.99, { label: 'fraud' }), // fn (30d only)
];

async function seed(site: Types.ObjectId, events: Seed[]): Promise<void> {
  const ids = await recordEvents(api.db, site, events);
  await Promise.all(
    events.map((e, i) =>
      e.label ? api.db.models.Event.updateOne({ _id: ids[i] }, { $set: { label: { value: e.label, by: 'admin@example.com', at: NOW } } }) : null,
    ),
  );
}

beforeAll(async () => {
  api = await startTestApi('api_attestation', {}, () => NOW);
  owner = await signedUpClient(api);
  ({ id: siteId } = (await owner.trpc.sites.create.mutate({ name: 'Experiment', mode: 'live' })).site);
  await owner.trpc.sites.updateSettings.mutate({ siteId, attestationCohortPct: 40 });
  await seed(new Types.ObjectId(siteId), SEEDS);
});
afterAll(async () => {
  await api?.close();
});

const hist = (buckets: Record<number, number>) => Array.from({ length: 10 }, (_, b) => buckets[b] ?? 0);

describe('cohorts', () => {
  test('reports the site’s cohort percentage and the range it covers', async () => {
    const result = await owner.trpc.attestation.cohorts.query({ siteId, preset: '24h' });
    expect(result.cohortPct).toBe(40);
    expect(result.range).toEqual({ from: '2030-06-14T13:00:00.000Z', to: '2030-06-15T13:00:00.000Z', granularity: 'hour', preset: '24h' });
  });

  test('splits events, verdict mix and score histogram between the cohort and the rest', async () => {
    const { cohort, rest } = await owner.trpc.attestation.cohorts.query({ siteId, preset: '24h' });
    expect(cohort.events).toBe(5);
    expect(cohort.verdicts).toEqual({ trusted: { count: 3, share: 0.6 }, suspect: { count: 1, share: 0.2 }, fraud: { count: 1, share: 0.2 } });
    expect(cohort.scoreHistogram.map((b) => b.count)).toEqual(hist({ 0: 1, 5: 1, 9: 3 }));
    expect(rest.events).toBe(5);
    expect(rest.verdicts).toEqual({ trusted: { count: 2, share: 0.4 }, suspect: { count: 1, share: 0.2 }, fraud: { count: 2, share: 0.4 } });
    expect(rest.scoreHistogram.map((b) => b.count)).toEqual(hist({ 0: 1, 1: 1, 4: 1, 8: 1, 9: 1 }));
    expect(rest.scoreHistogram[9]).toEqual({ from: 0.9, to: 1, count: 1 });
  });

  test.each([
    ['24h', { tp: 1, fp: 0, fn: 1, tn: 1, labelled: 3, precision: 1, recall: 0.5 }, { tp: 2, fp: 1, fn: 0, tn: 1, labelled: 4, precision: 2 / 3, recall: 1 }, 7],
    ['30d', { tp: 1, fp: 0, fn: 1, tn: 1, labelled: 3, precision: 1, recall: 0.5 }, { tp: 2, fp: 1, fn: 1, tn: 1, labelled: 5, precision: 2 / 3, recall: 2 / 3 }, 8],
  ] as const)('over %s, scores the live verdicts against admin labels per group', async (preset, cohortLabels, restLabels, sampled) => {
    const result = await owner.trpc.attestation.cohorts.query({ siteId, preset });
    expect(result.cohort.labels).toEqual(cohortLabels);
    expect(result.rest.labels).toEqual(restLabels);
    expect(result.labelSample).toMatchObject({ sampled, capped: false });
  });

  test('the 30-day range reads the daily rollups, including the event 30 hours ago', async () => {
    const result = await owner.trpc.attestation.cohorts.query({ siteId, preset: '30d' });
    expect(result.range.granularity).toBe('day');
    expect([result.cohort.events, result.rest.events, result.rest.verdicts.trusted.count]).toEqual([5, 6, 3]);
  });

  test('counts the cohort’s attestation outcomes exactly (rollups, not a sample), an unrecorded one as absent', async () => {
    const { outcomes } = await owner.trpc.attestation.cohorts.query({ siteId, preset: '24h' });
    expect(outcomes).toMatchObject({
      counts: { valid: 2, invalid: 1, double_spent: 1, wrong_origin: 0, expired_key: 0, absent: 1 },
      sampled: 5,
      capped: false,
    });
  });

  test('a site without events or labels has empty groups and null precision/recall', async () => {
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Quiet', mode: 'live' });
    const result = await owner.trpc.attestation.cohorts.query({ siteId: site.id, preset: '7d' });
    expect(result.cohortPct).toBe(0);
    expect([result.cohort.events, result.rest.events, result.cohort.labels, result.rest.labels]).toEqual([0, 0, null, null]);
    expect(result.cohort.verdicts.trusted).toEqual({ count: 0, share: 0 });
    expect(result.outcomes.sampled).toBe(0);
  });

  test('states the attacker’s CPU cost per forged trusted event at the default difficulty', async () => {
    const { attackerCost: cost } = await owner.trpc.attestation.cohorts.query({ siteId, preset: '24h' });
    expect(cost).toMatchObject({ difficultyBits: 13, solutions: 4, tokensPerChallenge: 5, sha256PerSecond: 685_300, expectedHashesPerToken: 6553.6 });
    expect(cost.cpuSecondsPerToken).toBeCloseTo(0.009563, 6);
  });
});

describe('access', () => {
  test('a viewer can read the panel and a stranger gets NOT_FOUND', async () => {
    const viewer = await signedUpClient(api);
    const stranger = await signedUpClient(api);
    await addMemberByInvitation(owner, siteId, viewer, 'viewer');
    expect((await viewer.trpc.attestation.cohorts.query({ siteId, preset: '24h' })).cohort.events).toBe(5);
    expect(await codeOf(stranger.trpc.attestation.cohorts.query({ siteId, preset: '24h' }))).toBe('NOT_FOUND');
  });

  test('a custom range needs both ends', async () => {
    expect(await codeOf(owner.trpc.attestation.cohorts.query({ siteId, preset: 'custom' }))).toBe('BAD_REQUEST');
  });
});

describe('pure figures', () => {
  test.each([
    [13, 4, 5, 685_300, 6553.6],
    [10, 4, 5, 1_000_000, 819.2],
    [16, 1, 1, 65_536, 65_536],
  ])('bits %i, %i solutions, %i tokens per challenge at %i hashes/s cost k·2^bits/tokens hashes per token', (bits, k, tokens, rate, hashes) => {
    const cost = attackerCost(bits, k, tokens, rate);
    expect(cost.expectedHashesPerToken).toBe(hashes);
    expect(cost.cpuSecondsPerToken).toBeCloseTo(hashes / rate, 12);
  });

  test('the confusion counts always add up to the labelled events, and precision and recall stay within [0, 1]', () => {
    const row = fc.record({ verdict: fc.constantFrom('trusted', 'suspect', 'fraud'), label: fc.constantFrom('fraud' as const, 'legit' as const) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 50 }), (rows) => {
        const c = confusion(rows);
        if (rows.length === 0) return c === null;
        if (!c) return false;
        const inUnit = (x: number | null) => x === null || (x >= 0 && x <= 1);
        return c.tp + c.fp + c.fn + c.tn === rows.length && c.labelled === rows.length && inUnit(c.precision) && inUnit(c.recall);
      }),
    );
  });
});
