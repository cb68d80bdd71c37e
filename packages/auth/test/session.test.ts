import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import {
  DEFAULT_SESSION_LIFETIME,
  createSession,
  hashPassword,
  invalidateSession,
  invalidateUserSessions,
  validateSessionToken,
  verifyPassword,
  verifyPasswordAgainstNothing,
} from '../src/index.js';

let db: TestDatabase;
let userId: string;
beforeAll(async () => {
  db = await createTestDatabase('auth_session');
  const user = await db.models.User.create({ email: 'ada@example.com', passwordHash: 'x' });
  userId = String(user._id);
});
afterAll(async () => {
  await db?.dispose();
});

const DAY = 24 * 60 * 60 * 1000;
const IDLE = DEFAULT_SESSION_LIFETIME.idleMs;
const ABSOLUTE = DEFAULT_SESSION_LIFETIME.absoluteMs;

describe('passwords', () => {
  test('an argon2id hash verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored.startsWith('$argon2id$')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(stored, 'correct horse battery ')).toBe(false);
  });

  test('a corrupt stored hash reads as a wrong password instead of throwing', async () => {
    expect(await verifyPassword('not-a-hash', 'whatever')).toBe(false);
  });

  test('the timing equaliser for unknown emails always answers false', async () => {
    expect(await verifyPasswordAgainstNothing('tagward-timing-equaliser')).toBe(false);
  });
});

describe('sessions', () => {
  test('only a hash of the secret is stored, never the token', async () => {
    const { token, session } = await createSession(db, userId);
    const [id, secret] = token.split('.') as [string, string];
    expect(id).toBe(session.id);
    const raw = await db.conn.collection('sessions').findOne({ _id: id as never });
    expect(JSON.stringify(raw)).not.toContain(secret);
    expect(raw?.secretHash).toBeTruthy();
  });

  test('a valid token returns the session and the user', async () => {
    const { token } = await createSession(db, userId);
    const result = await validateSessionToken(db, token);
    expect(result?.user).toEqual({ id: userId, email: 'ada@example.com', role: 'user', emailVerified: false, twoFactor: false });
    expect(result?.renewed).toBe(false);
  });

  test.each([
    ['a wrong secret', (t: string) => `${t.split('.')[0]}.${'a'.repeat(24)}`],
    ['no separator', (t: string) => t.replace('.', '')],
    ['an unknown id', (t: string) => `${'b'.repeat(24)}.${t.split('.')[1]}`],
    ['a truncated secret', (t: string) => t.slice(0, -1)],
    ['extra parts', (t: string) => `${t}.x`],
  ])('a token with %s is refused', async (_name, tamper) => {
    const { token } = await createSession(db, userId);
    expect(await validateSessionToken(db, tamper(token))).toBeNull();
  });

  test('an expired session is refused and deleted', async () => {
    const now = new Date();
    const { token, session } = await createSession(db, userId, new Date(now.getTime() - IDLE - 1000));
    expect(await validateSessionToken(db, token, now)).toBeNull();
    expect(await db.models.Session.findById(session.id).lean()).toBeNull();
  });

  test('a session in the second half of its idle life slides to a full idle lifetime', async () => {
    const created = new Date('2030-01-01T00:00:00Z');
    const { token, session } = await createSession(db, userId, created);
    const later = new Date(created.getTime() + IDLE / 2 + DAY);
    const result = await validateSessionToken(db, token, later);
    expect(result?.renewed).toBe(true);
    expect(result?.session.expiresAt.getTime()).toBe(later.getTime() + IDLE);
    const stored = await db.models.Session.findById(session.id).lean();
    expect(stored?.expiresAt.getTime()).toBe(later.getTime() + IDLE);
  });

  test('a session used every day still ends at its absolute lifetime, and never slides past it', async () => {
    const created = new Date('2030-02-01T00:00:00Z');
    const { token, session } = await createSession(db, userId, created);
    for (let day = 1; day * DAY < ABSOLUTE; day++) {
      const result = await validateSessionToken(db, token, new Date(created.getTime() + day * DAY));
      expect(result, `day ${day}`).not.toBeNull();
      expect(result!.session.expiresAt.getTime()).toBeLessThanOrEqual(created.getTime() + ABSOLUTE);
    }
    expect(await validateSessionToken(db, token, new Date(created.getTime() + ABSOLUTE))).toBeNull();
    expect(await db.models.Session.findById(session.id).lean()).toBeNull();
  });

  test('a session stored before the absolute limit existed gets it counted from its creation', async () => {
    const created = new Date('2030-03-01T00:00:00Z');
    const { token, session } = await createSession(db, userId, created);
    await db.models.Session.updateOne({ _id: session.id }, { $set: { absoluteExpiresAt: null, expiresAt: new Date(created.getTime() + 2 * ABSOLUTE) } });
    expect(await validateSessionToken(db, token, new Date(created.getTime() + ABSOLUTE + DAY))).toBeNull();
  });

  test('a fresh session is not rewritten on every request', async () => {
    const created = new Date('2030-01-01T00:00:00Z');
    const { token } = await createSession(db, userId, created);
    const result = await validateSessionToken(db, token, new Date(created.getTime() + DAY));
    expect(result?.renewed).toBe(false);
    expect(result?.session.expiresAt.getTime()).toBe(created.getTime() + IDLE);
  });

  test('logging out ends one session; logging out everywhere ends the others too', async () => {
    const other = await db.models.User.create({ email: 'bob@example.com', passwordHash: 'x' });
    const a = await createSession(db, userId);
    const b = await createSession(db, userId);
    const c = await createSession(db, userId);
    const bobs = await createSession(db, String(other._id));
    await invalidateSession(db, a.session.id);
    expect(await validateSessionToken(db, a.token)).toBeNull();
    expect(await validateSessionToken(db, b.token)).not.toBeNull();
    await invalidateUserSessions(db, userId, { except: c.session.id });
    expect(await validateSessionToken(db, b.token)).toBeNull();
    expect(await validateSessionToken(db, c.token)).not.toBeNull();
    await invalidateUserSessions(db, userId);
    expect(await validateSessionToken(db, c.token)).toBeNull();
    expect(await validateSessionToken(db, bobs.token)).not.toBeNull();
  });

  test('a session of a deleted user is refused', async () => {
    const gone = await db.models.User.create({ email: 'gone@example.com', passwordHash: 'x' });
    const { token } = await createSession(db, String(gone._id));
    await db.models.User.deleteOne({ _id: gone._id });
    expect(await validateSessionToken(db, token)).toBeNull();
  });
});
