/**
 * Against the real embedded database: a copy of everything it stores, without the master key,
 * can neither mint a page token nor call the verify API.
 */
import { createHash, hkdfSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { secretKeyLookup } from '@tagward/db';
import { buildPageTokenClaims, signPageToken } from '@tagward/protocol';
import {
  PAGE_TOKEN_KEY_INFO,
  handleVerifyRequest,
  openSigningKey,
  type StoredBeacon,
} from '../src/index.js';
import { contextFor, useKeysDatabase, verifierOn } from './database-fixtures.js';
import { NOW, ORIGIN, mint, newMasterKey } from './fixtures.js';

const seeded = useKeysDatabase('keys_dump');

const context = () => contextFor(seeded.siteId);

/** Every string anywhere in a document tree. */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringsIn(v, out);
  else if (value && typeof value === 'object') {
    const maybeId = value as { toHexString?: () => string };
    if (typeof maybeId.toHexString === 'function') out.push(maybeId.toHexString());
    else if (value instanceof Date) out.push(value.toISOString());
    else for (const v of Object.values(value)) stringsIn(v, out);
  }
  return out;
}

/** Everything an attacker holding the dump (and no master key) could try as an HMAC key. */
function candidateKeysFrom(strings: readonly string[], kid: string): Buffer[] {
  const candidates: Buffer[] = [];
  const wrongMasterKeys = [Buffer.alloc(32), newMasterKey()];
  for (const text of strings) {
    const forms = [
      Buffer.from(text, 'utf8'),
      Buffer.from(text, 'hex'),
      Buffer.from(text, 'base64url'),
    ];
    for (const part of text.split('.')) forms.push(Buffer.from(part, 'base64url'));
    for (const form of forms) {
      if (form.length === 0) continue;
      candidates.push(form);
      candidates.push(createHash('sha256').update(form).digest());
      candidates.push(
        Buffer.from(hkdfSync('sha256', form, Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32)),
      );
    }
    // Reusing the secret hash in place of the secret key inside the sk format.
    const asKey = `sk_live_${kid}_${Buffer.from(text, 'hex').subarray(0, 32).toString('base64url')}`;
    candidates.push(
      Buffer.from(hkdfSync('sha256', asKey, Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32)),
    );
    for (const wrong of wrongMasterKeys) {
      try {
        candidates.push(openSigningKey(text, { kid, masterKey: wrong }));
      } catch {
        // Expected: AES-GCM refuses to open without the real master key.
      }
    }
  }
  return candidates;
}

describe('a copy of the database alone', () => {
  test('cannot mint a page token the verifier accepts', async () => {
    const { db, key } = seeded;
    const dump: Record<string, unknown[]> = {};
    const rawDb = db.conn.db;
    if (!rawDb) throw new Error('no database handle');
    for (const { name } of await rawDb.listCollections().toArray()) {
      dump[name] = await rawDb.collection(name).find().toArray();
    }
    expect(dump.secret_keys).toHaveLength(1);
    const strings = stringsIn(dump);
    const stolenKid = strings.find((s) => s === key.kid);
    expect(stolenKid).toBe(key.kid);

    const candidates = candidateKeysFrom(strings, key.kid);
    expect(candidates.length).toBeGreaterThan(50);
    const verifier = verifierOn(db);
    const statuses = new Set<string>();
    for (const candidate of candidates) {
      const claims = buildPageTokenClaims({
        kid: key.kid,
        origin: ORIGIN,
        path: '/blog/*',
        now: NOW,
      });
      const outcome = await verifier.verify(signPageToken(claims, candidate), context());
      statuses.add(outcome.status);
    }
    expect([...statuses]).toEqual(['bad_signature']);

    // Control: the same verifier accepts a token minted with the real secret key, so the test can fail.
    expect((await verifier.verify(mint(key), context())).status).toBe('valid');
  });

  test('cannot call the verify API', async () => {
    const { db, key } = seeded;
    const strings = stringsIn(await db.models.SecretKey.find().lean());
    const deps = {
      lookupKey: secretKeyLookup(db),
      findEvent: async (): Promise<StoredBeacon | undefined> => undefined,
      now: () => NOW,
    };
    const attempts = strings.flatMap((s) => [
      s,
      `sk_live_${key.kid}_${Buffer.from(s, 'hex').subarray(0, 32).toString('base64url')}`,
    ]);
    for (const attempt of attempts) {
      const res = await handleVerifyRequest(
        { authorization: `Bearer ${attempt}`, eventId: 'evt_12345678' },
        deps,
      );
      expect(res.status).toBe(401);
    }
    const control = await handleVerifyRequest(
      { authorization: `Bearer ${key.secretKey}`, eventId: 'evt_12345678' },
      deps,
    );
    expect(control.status).toBe(404);
  });

  test('plus a wrong or absent master key cannot even open the signing key', async () => {
    const { db, key } = seeded;
    for (const wrong of [Buffer.alloc(32), newMasterKey()]) {
      const verifier = verifierOn(db, wrong);
      await expect(verifier.verify(mint(key), context())).rejects.toMatchObject({
        code: 'signing_key_unreadable',
      });
    }
  });
});
