import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RULES,
  applyOverride,
  cadenceReach,
  deriveSignals,
  score,
  type CadenceReach,
  type ReasonCode,
} from '../src/index.js';
import * as F from '../fixtures/index.js';

const TIMING_CODES: ReasonCode[] = [
  'timing_zero',
  'timing_non_monotonic',
  'timing_repeated',
  'timing_out_of_range',
  'timing_send_gap',
  'timing_unrounded',
];
const CADENCE_CODES: ReasonCode[] = ['cadence_burst', 'cadence_regular', 'cadence_address_burst', 'cadence_network_burst'];

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
    ['an unknown load time and first byte (-1) are skipped', { ttfb: -1, nav: -1 }, []],
    ['rounding within the tolerance passes', { start: 1233, send: 1309 }, []],
    // Navigation Timing: loadEventEnd is 0 while the load event is pending (a bounce at pagehide).
    [
      'a visitor who left before load (load time 0)',
      { nav: 0, start: 1090.4, checks: 1.2, send: 1091.9 },
      [],
    ],
    [
      'a bounce with its first byte known',
      { nav: 0, ttfb: 180.2, start: 950, checks: 1, send: 951.1 },
      [],
    ],
    ['no navigation entry (load time -1)', { nav: -1 }, []],
    ['a zero start time', { start: 0, nav: -1, checks: 8.4, send: 8.5 }, ['timing_zero']],
    [
      'every timing -1',
      { nav: -1, start: -1, checks: -1, send: -1, ttfb: -1 },
      ['timing_out_of_range'],
    ],
    [
      'a day-long load time',
      { nav: 86_000_000, start: 86_000_100, checks: 8.4, send: 86_000_108.5 },
      ['timing_out_of_range'],
    ],
    [
      'first byte after ten minutes',
      { ttfb: 600_001, nav: 700_000, start: 700_001, send: 700_010 },
      ['timing_out_of_range'],
    ],
    [
      'a load time just inside the maximum',
      { nav: 599_000, start: 599_100, checks: 3, send: 599_103.5 },
      [],
    ],
    ['checks that ran for a minute', { checks: 60_000, send: 61_301.2 }, ['timing_out_of_range']],
    ['sent two seconds after the checks ended', { send: 3310.9 }, ['timing_send_gap']],
    ['sent just inside the gap the rules allow', { send: 2309.4 }, []],
    ['timings with three decimals', { start: 1301.217 }, ['timing_unrounded']],
    ['a first byte with two decimals', { ttfb: 210.35 }, ['timing_unrounded']],
    ['a zero send time', { send: 0 }, ['timing_zero', 'timing_non_monotonic']],
    ['everything zero', { nav: 0, start: 0, checks: 0, send: 0, ttfb: 0 }, ['timing_zero']],
    ['a zero send time alone', { nav: 0, start: 0.5, checks: 0, send: 0 }, ['timing_zero']],
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
      '5 earlier beacons in the last second is a burst',
      { countLastMinute: 5, countLastSecond: 5, countLastTenSeconds: 5 },
      ['cadence_burst'],
    ],
    [
      '4 in the last second is not',
      { countLastMinute: 4, countLastSecond: 4, countLastTenSeconds: 4 },
      [],
    ],
    [
      '10 earlier beacons in the last 10 s is a burst',
      { countLastMinute: 10, countLastSecond: 1, countLastTenSeconds: 10 },
      ['cadence_burst'],
    ],
    [
      'a busy NAT: 20 in 10 s from the address, each visitor at its own pace',
      { countLastMinute: 1, address: { lastSecond: 3, lastTenSeconds: 20, lastMinute: 100 } },
      [],
    ],
    [
      'a flood rotating user agents: 10 in the last second from one address',
      { address: { lastSecond: 10, lastTenSeconds: 10, lastMinute: 10 } },
      ['cadence_address_burst'],
    ],
    [
      '150 in a minute from one address',
      { address: { lastSecond: 2, lastTenSeconds: 25, lastMinute: 150 } },
      ['cadence_address_burst'],
    ],
    [
      'a busy network: 40 other addresses in 10 s, 150 in a minute',
      { network: { lastSecond: 6, lastTenSeconds: 40, lastMinute: 150 } },
      [],
    ],
    [
      'a flood spread over one network: 20 other addresses in the last second',
      { network: { lastSecond: 20, lastTenSeconds: 20, lastMinute: 20 } },
      ['cadence_network_burst'],
    ],
    [
      '200 other addresses of the network in a minute',
      { network: { lastSecond: 5, lastTenSeconds: 50, lastMinute: 200 } },
      ['cadence_network_burst'],
    ],
    [
      'a flood over many addresses of a network, some of them sending several',
      { address: { lastSecond: 12, lastTenSeconds: 12, lastMinute: 12 }, network: { lastSecond: 25, lastTenSeconds: 25, lastMinute: 25 } },
      ['cadence_address_burst', 'cadence_network_burst'],
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

describe('hindsight: how far back a beacon\'s cadence findings reach', () => {
  const reach = (cadence: F.FactsOverrides['cadence']) => cadenceReach(deriveSignals(F.facts({ cadence })), DEFAULT_RULES);

  test.each<[string, F.FactsOverrides['cadence'], CadenceReach]>([
    ['nothing found reaches nothing', { countLastMinute: 4, intervalsMs: [4200, 15800, 9100, 27400] }, { visitorMs: 0, addressMs: 0, networkMs: 0 }],
    // The fifth beacon of a 700 ms timer: the run began 4 × 700 ms ago; half an interval of slack
    // takes in the run's first arrival and not one before it.
    ['a regular run reaches back over its intervals', { countLastMinute: 4, intervalsMs: [700, 700, 701, 699] }, { visitorMs: 3150, addressMs: 0, networkMs: 0 }],
    ['a burst in the last second reaches one second', { countLastMinute: 5, countLastSecond: 5, countLastTenSeconds: 5 }, { visitorMs: 1000, addressMs: 0, networkMs: 0 }],
    ['a burst in 10 s reaches 10 s', { countLastMinute: 10, countLastSecond: 1, countLastTenSeconds: 10 }, { visitorMs: 10_000, addressMs: 0, networkMs: 0 }],
    ['a burst in a minute reaches a minute', { countLastMinute: 30 }, { visitorMs: 60_000, addressMs: 0, networkMs: 0 }],
    ['an address burst reaches back on the address', { address: { lastSecond: 10, lastTenSeconds: 10, lastMinute: 10 } }, { visitorMs: 0, addressMs: 1000, networkMs: 0 }],
    ['a network burst reaches back on the network', { network: { lastSecond: 3, lastTenSeconds: 60, lastMinute: 60 } }, { visitorMs: 0, addressMs: 0, networkMs: 10_000 }],
    [
      'a run and a burst together: the longer',
      { countLastMinute: 9, countLastSecond: 1, countLastTenSeconds: 10, intervalsMs: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000] },
      { visitorMs: 10_000, addressMs: 0, networkMs: 0 },
    ],
  ])('%s', (_name, cadence, expected) => {
    expect(reach(cadence)).toEqual(expected);
  });

  test('an event re-scored with a later beacon\'s cadence says so in the reason', () => {
    const first = deriveSignals(F.facts({}));
    const fifth = deriveSignals(F.facts({ cadence: { countLastMinute: 4, intervalsMs: [700, 700, 701, 699] } }));
    const before = score(first, DEFAULT_RULES);
    const after = score({ ...first, cadence: { ...fifth.cadence, later: { eventId: 'ev-5' } } }, DEFAULT_RULES);
    expect(before.reasons.map((r) => r.code)).not.toContain('cadence_regular');
    const reason = after.reasons.find((r) => r.code === 'cadence_regular');
    expect(reason?.detail).toMatch(/^seen at a later beacon \(ev-5\): 4 intervals of ~700 ms/);
    expect(after.score).toBeLessThan(before.score);
  });
});
