import type { ClientSession } from 'mongoose';
import type { Database } from './connection.js';

/** The named locks; their documents are created by `ensureIndexes`. */
export const LOCK_NAMES = ['rules', 'backtest', 'retention'] as const;
export type LockName = (typeof LOCK_NAMES)[number];

const COLLECTION = 'locks';

/**
 * Serialises transactions that check several documents and then write (publish rules only if
 * the overrides still fit; start a backtest only if none runs): each first increments the same
 * lock document, so two at once write-conflict and the driver retries the second on what the
 * first committed. A unique partial index would express "one published version per scope", but
 * SecantusDB 0.5.3 keeps a unique partial index entry after an update moves the document out of
 * the filter (packages/db test/concurrency.test.ts shows it), so the invariants hold by lock.
 */
export async function takeLock(db: Database, name: LockName, session: ClientSession): Promise<void> {
  await db.conn.collection(COLLECTION).updateOne({ _id: name as never }, { $inc: { n: 1 } }, { session });
}

/**
 * A lease for periodic work that one process of many should do (the retention job): whoever
 * takes the lock document while its lease has run out holds it for `ms`. A conditional update,
 * so two processes never hold it at once.
 */
export async function takeLease(db: Database, name: LockName, holder: string, ms: number, now: Date): Promise<boolean> {
  const result = await db.conn.collection(COLLECTION).updateOne(
    { _id: name as never, $or: [{ leaseUntil: { $exists: false } }, { leaseUntil: { $lt: now } }, { holder }] },
    { $set: { holder, leaseUntil: new Date(now.getTime() + ms) } },
  );
  // Matched, not modified: a holder renewing at the same instant changes nothing and still holds it.
  return result.matchedCount === 1;
}

/** Creates the lock documents (idempotent), outside any transaction. */
export async function ensureLocks(db: Database): Promise<void> {
  const locks = db.conn.collection(COLLECTION);
  for (const name of LOCK_NAMES) await locks.updateOne({ _id: name as never }, { $setOnInsert: { n: 0 } }, { upsert: true });
}
