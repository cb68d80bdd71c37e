/**
 * What the database tests share: a database of their own on the real embedded server, with a
 * site that requires page tokens and one secret key stored as the API service stores it, and
 * verifiers reading from it as a beacon process does.
 */
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { secretKeyLookup, type Database } from '@tagward/db';
import {
  createNonceSpender,
  createTokenVerifier,
  generatePublishableKey,
  generateSecretKey,
  storedSecretKey,
  type GeneratedSecretKey,
  type TokenVerifier,
} from '../src/index.js';
import { NOW, ORIGIN, PAGE_URL, newMasterKey } from './fixtures.js';

export const masterKey = newMasterKey();

export interface KeysDatabase {
  db: TestDatabase;
  siteId: string;
  key: GeneratedSecretKey;
}

/**
 * Registers the file's hooks (call once at the top of a test file): before its tests, a fresh
 * database holding one site and its one secret key; after them, the database dropped. The
 * returned object is filled in by `beforeAll`.
 */
export function useKeysDatabase(label: string): KeysDatabase {
  const seeded = {} as KeysDatabase;
  beforeAll(async () => {
    seeded.db = await createTestDatabase(label);
    const site = await seeded.db.models.Site.create({
      name: 'Shop',
      publicKey: generatePublishableKey('live'),
      mode: 'live',
      allowedOrigins: [ORIGIN],
      pageTokenRequired: true,
    });
    seeded.siteId = site.id as string;
    seeded.key = generateSecretKey({ mode: 'live', masterKey });
    await storeKey(seeded.db, seeded.key, seeded.siteId);
  });
  afterAll(async () => {
    await seeded.db?.dispose();
  });
  return seeded;
}

export async function storeKey(db: Database, generated: GeneratedSecretKey, siteId: string) {
  await db.models.SecretKey.create({ siteId, ...storedSecretKey(generated) });
}

export function verifierOn(database: Database, mk: Uint8Array = masterKey): TokenVerifier {
  return createTokenVerifier({
    masterKey: mk,
    lookupKey: secretKeyLookup(database),
    spendNonce: createNonceSpender((doc) => database.models.SpentNonce.create(doc)),
  });
}

/** The context a beacon for the seeded site brings, 1.5 s after the tokens were minted. */
export const contextFor = (siteId: string) => ({
  siteId,
  origin: ORIGIN,
  url: PAGE_URL,
  now: NOW + 1500,
});
