/**
 * The streamed export's memory bound: 1,000,000 events of one site exported as CSV through the
 * REST API, with the API server's resident memory sampled while it streams. A server that
 * buffered the rows (or the output, hundreds of megabytes) would blow through the cap; one that
 * streams from a cursor stays within a few batches of it. The test's own side only counts bytes.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { signedUpClient, startTestApi, type TestApi } from './helpers.js';
import { ownedSite } from './support/integrations.js';

const EVENTS = 1_000_000;
/** Growth of the process's RSS allowed while the export runs. */
/*
 * A streaming export measured +15 to +61 MB here (the young generation growing to its full size
 * accounts for much of it, more on a loaded machine); holding the output would take more than
 * 1.5 times the cap, and holding the documents several times that.
 */
const RSS_CAP_BYTES = 128 * 1024 * 1024;
const T0 = Date.UTC(2026, 5, 1);

let api: TestApi;
let siteId: Types.ObjectId;
let key: string;

/** Compact but real event documents (the export's fields all present), inserted in parallel batches. */
async function seed(): Promise<void> {
  const batch = 10_000;
  const insertBatch = async (start: number) => {
    const docs = Array.from({ length: batch }, (_, j) => {
      const i = start + j;
      return {
        siteId,
        eventId: `m${i.toString(36).padStart(8, '0')}`,
        receivedAt: new Date(T0 + i * 1000),
        page: { url: `https://shop.example/p/${i % 500}`, path: `/p/${i % 500}`, referrer: `https://www.search.example/results?q=product+${i % 1000}&source=newsletter-winter-sale&utm_medium=email&utm_content=hero-banner` },
        checks: [{ id: 'title_present', pass: i % 5 !== 0 }],
        signals: { v: 1 },
        score: i % 7 === 0 ? 0.1 : 0.9,
        verdict: i % 7 === 0 ? 'fraud' : 'trusted',
        reasons: i % 7 === 0 ? [{ code: 'origin_missing', weight: -0.4, detail: '' }] : [],
        rulesVersion: 1,
        overrideVersion: null,
        tokenValid: i % 3 === 0,
        clientErrors: [],
        visitorHash: 'v'.repeat(16),
        shadow: null,
        attestationCohort: false,
        label: null,
      };
    });
    await api.db.models.Event.collection.insertMany(docs, { ordered: false });
  };
  const starts = Array.from({ length: EVENTS / batch }, (_, k) => k * batch);
  const workers = Array.from({ length: 3 }, async () => {
    for (let start = starts.shift(); start !== undefined; start = starts.shift()) await insertBatch(start);
  });
  await Promise.all(workers);
}

beforeAll(async () => {
  api = await startTestApi('export_memory', { apiRateLimit: { perKey: 1000, windowMs: 60_000, exportsPerHour: 1000 } });
  const owner = await signedUpClient(api);
  const site = await ownedSite(owner);
  siteId = new Types.ObjectId(site.siteId);
  key = site.secretKey;
  // Seeding a million events is most of this test's time, and most of that is keeping the
  // indexes the export does not use: this throwaway database keeps only the export's own.
  for (const index of await api.db.models.Event.collection.indexes()) {
    if (index.name !== '_id_' && index.name !== 'siteId_1_receivedAt_-1__id_-1') await api.db.models.Event.collection.dropIndex(index.name!);
  }
  const started = Date.now();
  await seed();
  console.log(`seeded ${EVENTS} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 900_000);

afterAll(async () => {
  await api?.close();
}, 300_000);

test(`exporting ${EVENTS.toLocaleString('en')} events grows RSS by less than ${RSS_CAP_BYTES / 1024 / 1024} MB`, async () => {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = Date.now();
  let bytes = 0;
  let lines = 0;
  try {
    const url = `${api.url}/api/v1/events/export?format=csv&from=${new Date(T0).toISOString()}&to=${new Date(T0 + EVENTS * 1000).toISOString()}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      for (let at = value.indexOf(10); at !== -1; at = value.indexOf(10, at + 1)) lines += 1;
    }
  } finally {
    clearInterval(sampler);
  }
  const seconds = (Date.now() - started) / 1000;
  const growth = peak - baseline;
  console.log(
    `export: ${lines - 1} rows, ${(bytes / 1024 / 1024).toFixed(0)} MB in ${seconds.toFixed(1)} s (${Math.round((lines - 1) / seconds)} rows/s); ` +
      `RSS ${(baseline / 1024 / 1024).toFixed(0)} MB -> peak ${(peak / 1024 / 1024).toFixed(0)} MB (+${(growth / 1024 / 1024).toFixed(1)} MB)`,
  );
  expect(lines - 1).toBe(EVENTS);
  // The bound means something only if holding the output would break it.
  expect(bytes).toBeGreaterThan(1.5 * RSS_CAP_BYTES);
  expect(growth).toBeLessThan(RSS_CAP_BYTES);
}, 900_000);
