import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RULES,
  applyOverride,
  deriveSignals,
  score,
  type ReasonCode,
} from '../src/index.js';
import * as F from '../fixtures/index.js';

const TIMING_CODES: ReasonCode[] = ['timing_zero', 'timing_non_monotonic', 'timing_repeated'];
const CADENCE_CODES: ReasonCode[] = ['cadence_burst', 'cadence_regular'];

function firing(o: F.FactsOverrides, among: ReasonCode[], rules = DEFAULT_RULES): ReasonCode[] {
  return score(deriveSignals(F.facts(o)), rules)
    .reasons.map((r) => r.code)
    .filter((c) => among.includes(c));
}

describe('client timings', () => {
  test.each<[string, F.FactsOverrides['timing'], ReasonCode[]]>([
    ['a realistic load (first byte, load, idle, checks, send) passes', {}, []],
    ['integer timings pass', { nav: 1234, start: 1301, checks: 8, send: 1310, ttfb: 210 }, []],
    ['checks taking 0 ms (rounded) pass', { checks: 0, send: 1301.2 }, []],
    ['unknown values (-1) are skipped', { ttfb: -1, start: -1 }, []],
    ['rounding within the tolerance passes', { start: 1233, send: 1309 }, []],
    ['a zero load time', { nav: 0, ttfb: 0 }, ['timing_zero']],
    ['a zero send time', { send: 0 }, ['timing_zero', 'timing_non_monotonic']],
    ['everything zero', { nav: 0, start: 0, checks: 0, send: 0, ttfb: 0 }, ['timing_zero']],
    ['first byte after the load ended', { ttfb: 1500 }, ['timing_non_monotonic']],
    ['checks starting before load ended', { start: 900 }, ['timing_non_monotonic']],
    ['sending before the checks ended', { send: 1302 }, ['timing_non_monotonic']],
  ])('%s', (_name, timing, expected) => {
    expect(firing({ timing }, TIMING_CODES)).toEqual(expected);
  });

  test('the ttfb field is optional', () => {
    const f = F.facts();
    delete f.payload.timing.ttfb;
    expect(deriveSignals(f).timing.ttfb).toBeNull();
    expect(firing({}, TIMING_CODES)).toEqual([]);
  });

  test.each([
    [0, []],
    [1, ['timing_repeated']],
    [5, ['timing_repeated']],
  ])(
    'a visitor repeating the exact timings %i time(s) before: %j',
    (identicalTimings, expected) => {
      expect(firing({ cadence: { identicalTimings } }, TIMING_CODES)).toEqual(expected);
    },
  );
});

describe('arrival cadence per visitor', () => {
  test.each<[string, F.FactsOverrides['cadence'], ReasonCode[]]>([
    ['a first visit', {}, []],
    [
      'a few page views a minute at human intervals',
      { countLastMinute: 4, intervalsMs: [4200, 15800, 9100, 27400, 6100] },
      [],
    ],
    ['29 earlier beacons in the last minute is under the limit', { countLastMinute: 29 }, []],
    [
      '30 earlier beacons in the last minute is a burst',
      { countLastMinute: 30 },
      ['cadence_burst'],
    ],
    [
      'a timer every 2 s',
      { countLastMinute: 10, intervalsMs: [2000, 2001, 1999, 2000, 2002, 1998, 2000, 2001] },
      ['cadence_regular'],
    ],
    [
      'a jittered timer (about ±5 %)',
      { countLastMinute: 10, intervalsMs: [1900, 2100, 2000, 1950, 2050, 2000] },
      ['cadence_regular'],
    ],
    [
      'simultaneous arrivals',
      { countLastMinute: 5, intervalsMs: [0, 0, 0, 0] },
      ['cadence_regular'],
    ],
    [
      'too few intervals to judge regularity',
      { countLastMinute: 3, intervalsMs: [2000, 2000, 2000] },
      [],
    ],
    [
      'only the last 8 intervals count',
      { intervalsMs: [50, 90000, 3, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000] },
      ['cadence_regular'],
    ],
    [
      'a fast but irregular reader is not regular',
      { countLastMinute: 12, intervalsMs: [1200, 5400, 800, 3000, 9000, 2500] },
      [],
    ],
  ])('%s', (_name, cadence, expected) => {
    expect(firing({ cadence }, CADENCE_CODES)).toEqual(expected);
  });

  test('thresholds are rules', () => {
    const lenient = applyOverride(DEFAULT_RULES, {
      cadence: { burstPerMinute: 100, regularCv: 0.001 },
    });
    expect(
      firing(
        { cadence: { countLastMinute: 60, intervalsMs: [1900, 2100, 2000, 1950] } },
        CADENCE_CODES,
        lenient,
      ),
    ).toEqual([]);
  });

  test('stores the interval summary, not a nested array', () => {
    expect(
      deriveSignals(F.facts({ cadence: { countLastMinute: 3, intervalsMs: [1000, 3000] } }))
        .cadence,
    ).toEqual({
      lastMinute: 3,
      intervals: 2,
      meanMs: 2000,
      cv: 0.5,
    });
  });
});
