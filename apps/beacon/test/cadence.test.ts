import { describe, expect, test } from 'vitest';
import { CadenceTracker } from '../src/collect/cadence.js';

const T0 = 1_780_000_000_000;

/** Feeds arrivals (ms after T0) of one visitor and address; returns what the last one saw. */
function lastOf(times: number[], tracker = new CadenceTracker(), visitor = (_i: number) => 'v1') {
  let seen;
  times.forEach((t, i) => (seen = tracker.observe(visitor(i), 'site|198.51.100.7', T0 + t, `k${i}`, `e${i}`)));
  return seen!;
}

describe('cadence windows', () => {
  test.each<[string, number[], { second: number; ten: number; minute: number }]>([
    ['a first arrival has no history', [0], { second: 0, ten: 0, minute: 0 }],
    ['a burst of 200 in 2 s: the last sees the previous second in full', Array.from({ length: 200 }, (_, i) => i * 10), { second: 32, ten: 199, minute: 199 }],
    ['a reader every 20 s', [0, 20_000, 40_000, 59_000], { second: 0, ten: 0, minute: 3 }],
    ['arrivals older than a minute are forgotten', [0, 1000, 61_500, 62_000], { second: 1, ten: 1, minute: 1 }],
    ['ten seconds are counted to the second', [0, 3000, 9400, 10_200], { second: 1, ten: 2, minute: 3 }],
  ])('%s', (_name, times, expected) => {
    const seen = lastOf(times);
    // The one-second window is exact up to the arrivals kept (32), enough for any threshold.
    expect({ second: seen.countLastSecond, ten: seen.countLastTenSeconds, minute: seen.countLastMinute }).toEqual(expected);
    expect(seen.address).toEqual({ lastSecond: expected.second, lastTenSeconds: expected.ten, lastMinute: expected.minute });
  });

  test('a burst that rotates user agents is a new visitor each time, but one address', () => {
    const times = Array.from({ length: 50 }, (_, i) => i * 20);
    const seen = lastOf(times, new CadenceTracker(), (i) => `visitor-${i}`);
    expect(seen.countLastSecond).toBe(0);
    expect(seen.countLastMinute).toBe(0);
    expect(seen.address.lastSecond).toBe(32);
    expect(seen.address.lastMinute).toBe(49);
  });

  test('addresses are counted per site', () => {
    const tracker = new CadenceTracker();
    for (let i = 0; i < 5; i++) tracker.observe(`a${i}`, 'site-a|198.51.100.7', T0 + i, 'k', `a${i}`);
    expect(tracker.observe('b', 'site-b|198.51.100.7', T0 + 10, 'k', 'b').address.lastSecond).toBe(0);
  });

  test('intervals are the last eight gaps, the newest included', () => {
    const seen = lastOf([0, 100, 300, 600, 1000, 1500, 2100, 2800, 3600, 4500]);
    expect(seen.intervalsMs).toEqual([200, 300, 400, 500, 600, 700, 800, 900]);
  });

  test('identical timing tuples of the same visitor are counted', () => {
    const tracker = new CadenceTracker();
    tracker.observe('v', 'a', T0, 'same', 'e1');
    tracker.observe('v', 'a', T0 + 5000, 'other', 'e2');
    expect(tracker.observe('v', 'a', T0 + 9000, 'same', 'e3').identicalTimings).toBe(1);
  });
});
