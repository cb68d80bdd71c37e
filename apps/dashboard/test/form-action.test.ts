import { describe, expect, test } from 'vitest';
import { FormAction } from '$lib/form-action.svelte';
import { apiError } from './api-error';

const submitEvent = (): SubmitEvent => new Event('submit', { cancelable: true }) as SubmitEvent;

describe('the submit of a form that asks the API for one thing', () => {
  test('is busy while the request runs, and not after', async () => {
    const seen: boolean[] = [];
    const form = new FormAction(async () => {
      seen.push(form.busy);
    });
    const event = submitEvent();
    await form.submit(event);
    expect(event.defaultPrevented).toBe(true);
    expect(seen).toEqual([true]);
    expect(form.busy).toBe(false);
    expect(form.error).toBeNull();
  });

  test("a refused request shows the API's message", async () => {
    const form = new FormAction(async () => Promise.reject(apiError('BAD_REQUEST', 400, 'Use at least 10 characters.')));
    await form.submit(submitEvent());
    expect(form.error).toBe('Use at least 10 characters.');
    expect(form.busy).toBe(false);
  });

  test('a new attempt clears the last error before it runs', async () => {
    let fail = true;
    const seen: Array<string | null> = [];
    const form = new FormAction(async () => {
      seen.push(form.error);
      if (fail) throw new Error('offline');
    });
    await form.submit(submitEvent());
    expect(form.error).toBe('Something went wrong. Check your connection and try again.');
    fail = false;
    await form.submit(submitEvent());
    expect(seen).toEqual([null, null]);
    expect(form.error).toBeNull();
  });

  test('a problem the page sees first is shown, and nothing is sent', async () => {
    let sent = 0;
    let confirm = 'other';
    const form = new FormAction(async () => void sent++, {
      check: () => (confirm === 'secret' ? null : 'The two passwords differ.'),
    });
    await form.submit(submitEvent());
    expect(form.error).toBe('The two passwords differ.');
    expect(sent).toBe(0);
    confirm = 'secret';
    await form.submit(submitEvent());
    expect(form.error).toBeNull();
    expect(sent).toBe(1);
  });
});
