import { describe, expect, test } from 'vitest';
import { CadenceTracker } from '../src/collect/cadence.js';

const T0 = 1_780_000_000_000;
const NET = '198.51.100.0/24';
const keys = (address: string, site = 'site') => ({ address: `${site}|${address}`, network: `${site}|${address.slice(0, address.lastIndexOf('.'))}.0/24` });

/** Feeds arrivals (ms after T0) of one visitor and address; returns what the last one saw. */
function lastOf(times: number[], tracker = new CadenceTracker(), visitor = (_i: number) => 'v1', address = (_i: number) => '198.51.100.7') {
  let seen;
  times.forEach((t, i) => (seen = tracker.observe(visitor(i), keys(address(i)), T0 + t, `k${i}`, `e${i}`)));
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
    // One address is no network finding: the network counts the other addresses it saw.
    expect(seen.network).toEqual({ lastSecond: 0, lastTenSeconds: 0, lastMinute: 0 });
  });

  test('a burst that rotates user agents is a new visitor each time, but one address', () => {
    const times = Array.from({ length: 50 }, (_, i) => i * 20);
    const seen = lastOf(times, new CadenceTracker(), (i) => `visitor-${i}`);
    expect(seen.countLastSecond).toBe(0);
    expect(seen.countLastMinute).toBe(0);
    expect(seen.address.lastSecond).toBe(32);
    expect(seen.address.lastMinute).toBe(49);
  });

  test('a burst spread over the addresses of one network is new visitors and addresses, but one network', () => {
    const times = Array.from({ length: 50 }, (_, i) => i * 20);
    const seen = lastOf(times, new CadenceTracker(), (i) => `visitor-${i}`, (i) => `198.51.100.${i + 1}`);
    expect(seen.countLastMinute).toBe(0);
    expect(seen.address.lastMinute).toBe(0);
    expect(seen.network).toEqual({ lastSecond: 49, lastTenSeconds: 49, lastMinute: 49 });
    expect(keys('198.51.100.50').network).toBe(`site|${NET}`);
  });

  test('a network counts the other addresses it saw in each window, each once', () => {
    // Two addresses 20 s ago, one of them again 5 s ago, a third 0.5 s ago; then a fourth.
    const address = (i: number) => ['198.51.100.1', '198.51.100.2', '198.51.100.1', '198.51.100.3', '198.51.100.4'][i]!;
    const seen = lastOf([0, 10, 15_000, 19_500, 20_000], new CadenceTracker(), (i) => `visitor-${i}`, address);
    expect(seen.network).toEqual({ lastSecond: 1, lastTenSeconds: 2, lastMinute: 3 });
    // An address sending again does not count itself.
    const again = lastOf([0, 100, 200], new CadenceTracker(), () => 'v', (i) => ['198.51.100.1', '198.51.100.2', '198.51.100.1'][i]!);
    expect(again.network).toEqual({ lastSecond: 1, lastTenSeconds: 1, lastMinute: 1 });
  });

  test('addresses not seen for a minute are forgotten by their network', () => {
    const seen = lastOf([0, 10, 60_500], new CadenceTracker(), (i) => `visitor-${i}`, (i) => `198.51.100.${i + 1}`);
    expect(seen.network).toEqual({ lastSecond: 0, lastTenSeconds: 0, lastMinute: 0 });
  });

  test('addresses and networks are counted per site, networks apart', () => {
    const tracker = new CadenceTracker();
    for (let i = 0; i < 5; i++) tracker.observe(`a${i}`, keys('198.51.100.7', 'site-a'), T0 + i, 'k', `a${i}`);
    const otherSite = tracker.observe('b', keys('198.51.100.7', 'site-b'), T0 + 10, 'k', 'b');
    expect(otherSite.address.lastSecond).toBe(0);
    expect(otherSite.network.lastSecond).toBe(0);
    expect(tracker.observe('c', keys('198.51.101.7', 'site-a'), T0 + 11, 'k', 'c').network.lastSecond).toBe(0);
    // One other address of the network (five beacons from it), on this site.
    expect(tracker.observe('d', keys('198.51.100.8', 'site-a'), T0 + 12, 'k', 'd').network.lastSecond).toBe(1);
  });

  test('a network finding hands over the trusted beacons of the network within its reach, once', () => {
    const tracker = new CadenceTracker();
    for (let i = 0; i < 4; i++) {
      tracker.observe(`v${i}`, keys(`198.51.100.${i + 1}`), T0 + i * 100, 'k', `e${i}`);
      if (i !== 2) tracker.markTrusted(`v${i}`, keys(`198.51.100.${i + 1}`), `e${i}`);
    }
    const reach = { visitorMs: 0, addressMs: 0, networkMs: 1000 };
    const later = keys('198.51.100.9');
    tracker.observe('v9', later, T0 + 900, 'k', 'e9');
    // The one-second reach back from T0 + 1050 starts after e0; e2 was never trusted; e9 is the finder.
    expect(tracker.takeTrustedWithin('v9', later, T0 + 1050, reach, 'e9').sort()).toEqual(['e1', 'e3']);
    expect(tracker.takeTrustedWithin('v9', later, T0 + 1050, reach, 'e9')).toEqual([]);
  });

  test('intervals are the last eight gaps, the newest included', () => {
    const seen = lastOf([0, 100, 300, 600, 1000, 1500, 2100, 2800, 3600, 4500]);
    expect(seen.intervalsMs).toEqual([200, 300, 400, 500, 600, 700, 800, 900]);
  });

  test('identical timing tuples of the same visitor are counted', () => {
    const tracker = new CadenceTracker();
    tracker.observe('v', keys('198.51.100.7'), T0, 'same', 'e1');
    tracker.observe('v', keys('198.51.100.7'), T0 + 5000, 'other', 'e2');
    expect(tracker.observe('v', keys('198.51.100.7'), T0 + 9000, 'same', 'e3').identicalTimings).toBe(1);
  });
});
