import { describe, expect, test } from 'vitest';
import { flushSync } from 'svelte';
import { PagedList, type Page } from '$lib/paged-list.svelte';
import { LoadData } from './load-data.svelte';

type Row = { id: string; n: number };
const rows = (...ids: number[]): Row[] => ids.map((n) => ({ id: `r${n}`, n }));

describe('a list that grows by "load more"', () => {
  test('appends the next page, then stops when there is none', async () => {
    const data = new LoadData<Page<Row>>({ items: rows(1, 2), nextCursor: 'c2' });
    const asked: string[] = [];
    const list = new PagedList<Row>(
      () => data.value,
      async (cursor) => {
        asked.push(cursor);
        return { items: rows(3), nextCursor: null };
      },
    );
    await list.more();
    expect(list.items.map((r) => r.n)).toEqual([1, 2, 3]);
    expect(list.nextCursor).toBeNull();
    await list.more();
    expect(asked).toEqual(['c2']);
  });

  test('starts over from the new first page when the load runs again (new filters)', async () => {
    const data = new LoadData<Page<Row>>({ items: rows(1), nextCursor: 'c1' });
    const list = new PagedList<Row>(() => data.value, async () => ({ items: rows(2), nextCursor: null }));
    await list.more();
    expect(list.items).toHaveLength(2);
    data.value = { items: rows(7, 8, 9), nextCursor: 'c9' };
    flushSync();
    expect(list.items.map((r) => r.n)).toEqual([7, 8, 9]);
    expect(list.nextCursor).toBe('c9');
  });

  test('a failed page keeps the rows and says why', async () => {
    const data = new LoadData<Page<Row>>({ items: rows(1), nextCursor: 'c1' });
    const list = new PagedList<Row>(() => data.value, async () => Promise.reject(new Error('offline')));
    await list.more();
    expect(list.items).toHaveLength(1);
    expect(list.error).toBe('Something went wrong. Check your connection and try again.');
    expect(list.busy).toBe(false);
  });

  test('an item updated by a mutation replaces the one with its id', () => {
    const data = new LoadData<Page<Row>>({ items: rows(1, 2), nextCursor: null });
    const list = new PagedList<Row>(() => data.value, async () => ({ items: [], nextCursor: null }));
    list.replace({ id: 'r2', n: 20 });
    expect(list.items.map((r) => r.n)).toEqual([1, 20]);
  });
});
