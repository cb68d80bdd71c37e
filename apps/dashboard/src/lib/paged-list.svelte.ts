import { errorMessage } from './trpc';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A list that a page's `load` fetched the first page of, and that grows by "load more" without
 * a navigation. When the load runs again (new filters in the URL) the list starts over from its
 * new first page: `items` and `nextCursor` are derived from it, and only overridden by `more()`.
 */
export class PagedList<T extends { id: string }> {
  readonly #first: () => Page<T>;
  readonly #fetch: (cursor: string) => Promise<Page<T>>;

  items: T[] = $derived.by(() => this.#first().items);
  nextCursor: string | null = $derived.by(() => this.#first().nextCursor);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(first: () => Page<T>, fetch: (cursor: string) => Promise<Page<T>>) {
    this.#first = first;
    this.#fetch = fetch;
  }

  async more(): Promise<void> {
    const cursor = this.nextCursor;
    if (!cursor || this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      const page = await this.#fetch(cursor);
      this.items = [...this.items, ...page.items];
      this.nextCursor = page.nextCursor;
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.busy = false;
    }
  }

  /** Puts an updated item in place of the one with its id (after a mutation returned it). */
  replace(item: T): void {
    this.items = this.items.map((existing) => (existing.id === item.id ? item : existing));
  }
}
