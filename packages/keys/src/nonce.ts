/**
 * Records a nonce as spent. Resolves true for the first use, false when it was already spent
 * (a replay). Must be atomic across every verifier process: a unique-key insert does that.
 * `nonceKey` is already namespaced by key id (`<kid>.<nonce>`): store it as is.
 */
export type SpendNonce = (nonceKey: string, siteId: string, expiresAt: Date) => Promise<boolean>;

/** The document a database-backed spender inserts (the `SpentNonce` model's shape). */
export interface SpentNonceInsert {
  _id: string;
  siteId: string;
  expiresAt: Date;
}

function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, writeErrors } = error as { code?: unknown; writeErrors?: unknown };
  if (code === 11000) return true;
  return (
    Array.isArray(writeErrors) && writeErrors.some((e: { code?: unknown }) => e?.code === 11000)
  );
}

/**
 * A {@link SpendNonce} on top of a unique-`_id` insert, for example the `SpentNonce` model: the
 * first insert wins in every process; a duplicate-key error (code 11000) means replay. Any other
 * error (database down) is rethrown so the beacon can answer 503 instead of guessing.
 *
 * @example
 * const spendNonce = createNonceSpender((doc) => db.models.SpentNonce.create(doc));
 */
export function createNonceSpender(
  insert: (doc: SpentNonceInsert) => Promise<unknown>,
): SpendNonce {
  return async (nonceKey, siteId, expiresAt) => {
    try {
      await insert({ _id: nonceKey, siteId, expiresAt });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  };
}

/**
 * An in-process {@link SpendNonce}: correct for ONE process only (development, benchmarks, a
 * single-instance demo). Entries are dropped after they expire; at `maxEntries` the oldest go
 * first, which would let a very old nonce through again, so size it above tokens-per-TTL.
 *
 * @example
 * const spendNonce = createMemoryNonceSpender({ maxEntries: 1_000_000 });
 */
export function createMemoryNonceSpender(
  options: { maxEntries?: number; now?: () => number } = {},
): SpendNonce {
  const maxEntries = options.maxEntries ?? 1_000_000;
  const now = options.now ?? Date.now;
  const spent = new Map<string, number>();
  let sweepAt = 0;
  return async (nonceKey, _siteId, expiresAt) => {
    const t = now();
    if (t >= sweepAt) {
      // Insertion order is roughly expiry order: stop at the first live entry.
      for (const [key, expiry] of spent) {
        if (expiry > t) break;
        spent.delete(key);
      }
      sweepAt = t + 1000;
    }
    if (spent.has(nonceKey)) return false;
    spent.set(nonceKey, expiresAt.getTime());
    if (spent.size > maxEntries) {
      const oldest = spent.keys().next();
      if (!oldest.done) spent.delete(oldest.value);
    }
    return true;
  };
}
