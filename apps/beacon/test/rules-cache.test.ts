import { afterAll, beforeAll, expect, test } from 'vitest';
import { pino } from 'pino';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { DEFAULT_RULES } from '@tagward/trust';
import { RulesCache } from '../src/collect/rules-cache.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('rules_cache');
});
afterAll(async () => {
  await db?.dispose();
});

test('the highest published version of a scope is in force, even while the previous one is not archived yet', async () => {
  const cache = new RulesCache(db, pino({ level: 'silent' }));
  await cache.refresh();
  expect(cache.forSite('000000000000000000000001').version).toBe(0);
  for (const version of [2, 1]) {
    await db.models.RulesVersion.create({ scope: 'global', version, status: 'published', rules: DEFAULT_RULES });
  }
  await cache.refresh();
  expect(cache.forSite('000000000000000000000001').version).toBe(2);
});

test('a published document that fails the schema is ignored, never applied', async () => {
  const cache = new RulesCache(db, pino({ level: 'silent' }));
  await db.models.RulesVersion.create({ scope: 'global', version: 3, status: 'published', rules: { nonsense: true } });
  await cache.refresh();
  expect(cache.forSite('000000000000000000000001').version).toBe(2);
});
