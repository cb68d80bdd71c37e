import { beforeEach, describe, expect, test, vi } from 'vitest';
import { SaveAction } from '$lib/save-action.svelte';
import { apiError } from './api-error';

const invalidated = vi.hoisted(() => [] as string[]);
const failReload = vi.hoisted(() => ({ now: false }));
vi.mock('$app/navigation', () => ({
  invalidate: async (key: string) => {
    if (failReload.now) throw new Error('offline');
    invalidated.push(key);
  },
}));

const submitEvent = (): SubmitEvent => new Event('submit', { cancelable: true }) as SubmitEvent;

beforeEach(() => {
  invalidated.length = 0;
  failReload.now = false;
});

describe('the Save button of a settings card', () => {
  test('saves, reloads what depends on it, then says saved', async () => {
    const order: string[] = [];
    const save = new SaveAction(
      async () => {
        order.push(`run, reloaded: ${invalidated.length}`);
      },
      { invalidates: 'app:site' },
    );
    const event = submitEvent();
    await save.submit(event);
    expect(event.defaultPrevented).toBe(true);
    expect(order).toEqual(['run, reloaded: 0']);
    expect(invalidated).toEqual(['app:site']);
    expect(save.saved).toBe(true);
    expect(save.error).toBeNull();
  });

  test('reloads nothing when the card keeps what the API returned itself', async () => {
    const save = new SaveAction(async () => undefined);
    await save.submit(submitEvent());
    expect(invalidated).toEqual([]);
    expect(save.saved).toBe(true);
  });

  test("a refused save shows the API's message and does not say saved", async () => {
    const save = new SaveAction(async () => Promise.reject(apiError('BAD_REQUEST', 400, 'Too many months.')), {
      invalidates: 'app:site',
    });
    await save.submit(submitEvent());
    expect(save.error).toBe('Too many months.');
    expect(save.saved).toBe(false);
    expect(invalidated).toEqual([]);
  });

  test('a failed reload counts as a failed save', async () => {
    failReload.now = true;
    const save = new SaveAction(async () => undefined, { invalidates: 'app:site' });
    await save.submit(submitEvent());
    expect(save.saved).toBe(false);
    expect(save.error).toBe('Something went wrong. Check your connection and try again.');
  });

  test('a new attempt clears the last outcome before it runs', async () => {
    let fail = true;
    const seen: Array<[boolean, string | null]> = [];
    const save = new SaveAction(async () => {
      seen.push([save.saved, save.error]);
      if (fail) throw new Error('offline');
    });
    await save.submit(submitEvent());
    fail = false;
    await save.submit(submitEvent());
    await save.submit(submitEvent());
    expect(seen).toEqual([
      [false, null],
      [false, null],
      [false, null],
    ]);
    expect(save.saved).toBe(true);
  });
});
