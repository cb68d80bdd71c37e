/**
 * Against the real embedded database: replay detection across two independent verifiers, each
 * on its own connection, as two beacon processes are.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectDatabase, secretKeyLookup, type Database } from '@tagward/db';
import { createNonceSpender, createTokenVerifier } from '../src/index.js';
import { contextFor, masterKey, useKeysDatabase, verifierOn } from './database-fixtures.js';
import { NOW, mint } from './fixtures.js';

const seeded = useKeysDatabase('keys_replay');

const context = () => contextFor(seeded.siteId);

describe('replay across processes', () => {
  let second: Database;
  beforeAll(async () => {
    const { db } = seeded;
    second = await connectDatabase(db.uri, db.dbName);
  });
  afterAll(async () => {
    await second?.close();
  });

  test('a token accepted by one verifier is a replay on another with its own connection', async () => {
    const { db, key } = seeded;
    const a = verifierOn(db);
    const b = verifierOn(second);
    const token = mint(key);
    expect((await a.verify(token, context())).status).toBe('valid');
    expect((await b.verify(token, context())).status).toBe('replayed');
    expect((await a.verify(token, context())).status).toBe('replayed');
  });

  test('the same token raced on two verifiers is valid exactly once', async () => {
    const { db, key } = seeded;
    const a = verifierOn(db);
    const b = verifierOn(second);
    for (let round = 0; round < 5; round++) {
      const token = mint(key);
      const outcomes = await Promise.all([a, b, a, b].map((v) => v.verify(token, context())));
      expect(outcomes.map((o) => o.status).sort()).toEqual([
        'replayed',
        'replayed',
        'replayed',
        'valid',
      ]);
    }
  });

  test('the spent nonce row is namespaced by kid and lives until the token can no longer be accepted', async () => {
    const { db, siteId, key } = seeded;
    const token = mint(key, { ttlMs: 120_000 });
    expect((await verifierOn(db).verify(token, context())).status).toBe('valid');
    const rows = await db.models.SpentNonce.find({
      expiresAt: new Date(NOW + 120_000 + 30_000),
    }).lean();
    expect(rows).toHaveLength(1);
    expect(rows[0]?._id).toMatch(new RegExp(`^${key.kid}\\.[A-Za-z0-9_-]{22}$`));
    expect(rows[0]?.siteId.toString()).toBe(siteId);
  });

  test('a database error while spending is thrown, not reported as a replay', async () => {
    const { db, key } = seeded;
    const verifier = createTokenVerifier({
      masterKey,
      lookupKey: secretKeyLookup(db),
      spendNonce: createNonceSpender(async () => {
        throw Object.assign(new Error('not primary'), { code: 10107 });
      }),
    });
    await expect(verifier.verify(mint(key), context())).rejects.toThrow('not primary');
  });
});
