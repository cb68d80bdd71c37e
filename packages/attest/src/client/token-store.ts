/**
 * Where a tab keeps its unspent tokens. Only per-tab places are offered: memory (gone with the
 * page) or sessionStorage (survives navigations in the same tab, dies with the tab). Never
 * localStorage or cookies: a token that outlived the tab, or that several tabs shared, would link
 * the visits that redeem it and turn an anti-fraud signal into a tracking identifier.
 */

/** The part of the Web Storage API we use (sessionStorage in browsers). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface TokenStore {
  add(namespace: string, tokens: readonly string[]): void;
  /** Removes and returns one token (oldest first), or null. */
  take(namespace: string): string | null;
  count(namespace: string): number;
}

export function memoryTokenStore(): TokenStore {
  const lists = new Map<string, string[]>();
  return {
    add(namespace, tokens) {
      lists.set(namespace, [...(lists.get(namespace) ?? []), ...tokens]);
    },
    take(namespace) {
      return lists.get(namespace)?.shift() ?? null;
    },
    count(namespace) {
      return lists.get(namespace)?.length ?? 0;
    },
  };
}

const PREFIX = 'tagward-pp:';

/**
 * sessionStorage-backed store. Falls back to memory if storage throws (sandboxed frames, quota,
 * storage disabled): losing tokens costs a new proof of work, never a broken page.
 * Note: browsers copy sessionStorage into a tab opened from this one (window.open, "duplicate
 * tab"); a copied token is just a double spend the beacon rejects, not a cross-tab identifier
 * that persists.
 */
export function sessionTokenStore(storage: StorageLike): TokenStore {
  const fallback = memoryTokenStore();
  const read = (namespace: string): string[] => {
    const raw = storage.getItem(PREFIX + namespace);
    if (!raw) return [];
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : [];
  };
  const write = (namespace: string, tokens: string[]) => {
    if (tokens.length === 0) storage.removeItem(PREFIX + namespace);
    else storage.setItem(PREFIX + namespace, JSON.stringify(tokens));
  };
  return {
    add(namespace, tokens) {
      try {
        write(namespace, [...read(namespace), ...tokens]);
      } catch {
        fallback.add(namespace, tokens);
      }
    },
    take(namespace) {
      try {
        const tokens = read(namespace);
        const token = tokens.shift() ?? null;
        // Written back before the token is used, so a crash cannot replay it from storage.
        if (token !== null) write(namespace, tokens);
        return token ?? fallback.take(namespace);
      } catch {
        return fallback.take(namespace);
      }
    },
    count(namespace) {
      try {
        return read(namespace).length + fallback.count(namespace);
      } catch {
        return fallback.count(namespace);
      }
    },
  };
}
