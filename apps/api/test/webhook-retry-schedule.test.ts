/** The retry schedule docs/api.md states, from the default configuration. */
import { expect, test } from 'vitest';
import { apiConfigSchema } from '../src/config.js';
import { nextAttemptAt } from '../src/services/webhooks/deliveries.js';

const MIN = 60_000;

test('defaults: 1 minute doubling, at most 4 hours apart, a last attempt at 24 hours: 14 attempts', () => {
  const schedule = apiConfigSchema.parse({ masterKey: new Uint8Array(32) }).webhooks;
  const attempts = [0];
  for (let failures = 1; ; failures++) {
    const next = nextAttemptAt(schedule, 0, failures, attempts.at(-1)!, () => 0.5); // no jitter
    if (next === null) break;
    attempts.push(next);
  }
  expect(attempts.map((t) => t / MIN)).toEqual([0, 1, 3, 7, 15, 31, 63, 127, 255, 495, 735, 975, 1215, 1440]);
});

test('jitter stays within 10 % of the delay', () => {
  const schedule = { retryBaseMs: 1000, maxDelayMs: 10_000, giveUpAfterMs: 1_000_000 };
  expect(nextAttemptAt(schedule, 0, 3, 0, () => 0)).toBe(3600);
  expect(nextAttemptAt(schedule, 0, 3, 0, () => 1)).toBe(4400);
});
