/**
 * Against the real embedded database: the database-dump test, replay detection across two
 * independent verifiers (two connections, as two beacon processes), rotation as the API service
 * persists it, and the verify API reading real events.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { connectDatabase, secretKeyLookup, type Database } from '@tagward/db';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { buildPageTokenClaims, signPageToken } from '@tagward/protocol';
import {
  PAGE_TOKEN_KEY_INFO,
  createNonceSpender,
  createTokenVerifier,
  generatePublishableKey,
  generateSecretKey,
  handleVerifyRequest,
  openSigningKey,
  rotateSecretKey,
  storedSecretKey,
  type GeneratedSecretKey,
  type StoredBeacon,
  type TokenVerifier,
} from '../src/index.js';
import { NOW, ORIGIN, PAGE_URL, mint, newMasterKey } from './fixtures.js';

let db: TestDatabase;
const masterKey = newMasterKey();
let siteId: string;
let key: GeneratedSecretKey;

function verifierOn(database: Database, mk: Uint8Array = masterKey): TokenVerifier {
  return createTokenVerifier({
    masterKey: mk,
    lookupKey: secretKeyLookup(database),
    spendNonce: createNonceSpender((doc) => database.models.SpentNonce.create(doc)),
  });
}

async function storeKey(generated: GeneratedSecretKey, site: string) {
  await db.models.SecretKey.create({ siteId: site, ...storedSecretKey(generated) });
}

beforeAll(async () => {
  db = await createTestDatabase('keys');
  const site = await db.models.Site.create({
    name: 'Shop',
    publicKey: generatePublishableKey('live'),
    mode: 'live',
    allowedOrigins: [ORIGIN],
    pageTokenRequired: true,
  });
  siteId = site.id as string;
  key = generateSecretKey({ mode: 'live', masterKey });
  await storeKey(key, siteId);
});

afterAll(async () => {
  await db?.dispose();
});

const context = () => ({ siteId, origin: ORIGIN, url: PAGE_URL, now: NOW + 1500 });

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
    for (const wrong of [Buffer.alloc(32), newMasterKey()]) {
      const verifier = verifierOn(db, wrong);
      await expect(verifier.verify(mint(key), context())).rejects.toMatchObject({
        code: 'signing_key_unreadable',
      });
    }
  });
});

describe('replay across processes', () => {
  let second: Database;
  beforeAll(async () => {
    second = await connectDatabase(db.uri, db.dbName);
  });
  afterAll(async () => {
    await second?.close();
  });

  test('a token accepted by one verifier is a replay on another with its own connection', async () => {
    const a = verifierOn(db);
    const b = verifierOn(second);
    const token = mint(key);
    expect((await a.verify(token, context())).status).toBe('valid');
    expect((await b.verify(token, context())).status).toBe('replayed');
    expect((await a.verify(token, context())).status).toBe('replayed');
  });

  test('the same token raced on two verifiers is valid exactly once', async () => {
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

describe('rotation persisted by the API service', () => {
  test('old key valid inside the grace window, expired_key after it; new key valid', async () => {
    const other = await db.models.Site.create({
      name: 'Rotating',
      publicKey: generatePublishableKey('live'),
      mode: 'live',
    });
    const otherSiteId = other.id as string;
    const first = generateSecretKey({ mode: 'live', masterKey });
    await storeKey(first, otherSiteId);

    const current = await db.models.SecretKey.find({ siteId: otherSiteId }).lean();
    const { created, updates } = rotateSecretKey({
      mode: 'live',
      masterKey,
      keys: current.map((d) => ({
        kid: d.kid,
        expiresAt: d.expiresAt ?? null,
        revokedAt: d.revokedAt ?? null,
      })),
      now: NOW,
      strategy: { kind: 'grace', graceMs: 3_600_000 },
    });
    await storeKey(created, otherSiteId);
    for (const { kid, ...change } of updates) await db.models.SecretKey.updateOne({ kid }, change);

    const verifier = verifierOn(db);
    const ctx = (now: number) => ({ siteId: otherSiteId, origin: ORIGIN, url: PAGE_URL, now });
    expect(
      (await verifier.verify(mint(first, { now: NOW + 3_599_000 }), ctx(NOW + 3_599_999))).status,
    ).toBe('valid');
    expect(
      (await verifier.verify(mint(created, { now: NOW + 3_599_000 }), ctx(NOW + 3_599_999))).status,
    ).toBe('valid');
    expect(
      (await verifier.verify(mint(first, { now: NOW + 3_599_000 }), ctx(NOW + 3_600_000))).status,
    ).toBe('expired_key');
    expect(
      (await verifier.verify(mint(created, { now: NOW + 3_599_000 }), ctx(NOW + 3_600_000))).status,
    ).toBe('valid');
    // The old key is also refused by the verify API after the grace period.
    const api = await handleVerifyRequest(
      { authorization: `Bearer ${first.secretKey}`, eventId: 'evt_12345678' },
      { lookupKey: secretKeyLookup(db), findEvent: async () => undefined, now: () => NOW + 3_600_000 },
    );
    expect(api).toMatchObject({ status: 401, body: { error: { code: 'key_expired' } } });
  });
});

describe('the verify API on stored events', () => {
  test("returns a site's own event and never another site's", async () => {
    const eventId = `evt_${randomBytes(6).toString('hex')}`;
    await db.models.Event.create({
      siteId,
      eventId,
      receivedAt: new Date(NOW),
      page: { url: PAGE_URL, path: '/blog/hello', referrer: '' },
      signals: { token: { status: 'valid' } },
      score: 0.91,
      verdict: 'trusted',
      reasons: [{ code: 'token_valid', weight: 0.3, detail: 'valid page token' }],
      rulesVersion: 1,
      visitorHash: 'v',
    });
    const stranger = await db.models.Site.create({
      name: 'Other',
      publicKey: generatePublishableKey('live'),
      mode: 'live',
    });
    const strangerKey = generateSecretKey({ mode: 'live', masterKey });
    await storeKey(strangerKey, stranger.id as string);

    const deps = {
      lookupKey: secretKeyLookup(db),
      findEvent: async (site: string, id: string) => {
        const doc = await db.models.Event.findOne({ siteId: site, eventId: id }).lean();
        return doc
          ? {
              eventId: doc.eventId,
              receivedAt: doc.receivedAt,
              score: doc.score,
              verdict: doc.verdict,
              reasons: doc.reasons as StoredBeacon['reasons'],
            }
          : undefined;
      },
      now: () => NOW,
    };
    const own = await handleVerifyRequest(
      { authorization: `Bearer ${key.secretKey}`, eventId },
      deps,
    );
    expect(own).toMatchObject({
      status: 200,
      body: { id: eventId, score: 0.91, verdict: 'trusted' },
    });
    const foreign = await handleVerifyRequest(
      { authorization: `Bearer ${strangerKey.secretKey}`, eventId },
      deps,
    );
    expect(foreign).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});
