import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { formatBucket, formatPercent, formatWeight, fromLocalInput, toLocalInput } from '$lib/format';
import { customRange, defaultCustomInputs, rangeFromQuery, rangeToQuery } from '$lib/range-query';
import { NAV_LINKS, visibleNavLinks, type NavLink } from '$lib/nav';

describe('formatting', () => {
  test.each([
    [-0.6, '\u22120.60'],
    [0.3, '+0.30'],
    [0, '+0.00'],
  ])('weight %d reads %s', (weight, text) => {
    expect(formatWeight(weight)).toBe(text);
  });

  test.each([
    [0, '0%'],
    [0.5, '50%'],
    [0.1234, '12.3%'],
    [1, '100%'],
    [Number.NaN, '—'],
  ])('ratio %d reads %s', (ratio, text) => {
    expect(formatPercent(ratio)).toBe(text);
  });

  test('day buckets are labelled by their UTC date, whatever the viewer’s time zone', () => {
    expect(formatBucket('2030-06-15T00:00:00.000Z', 'day', 'America/Los_Angeles')).toBe('15 Jun');
  });

  test('a datetime-local value survives the round trip to an ISO instant', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (date) => {
        const minute = new Date(Math.floor(date.getTime() / 60_000) * 60_000).toISOString();
        expect(fromLocalInput(toLocalInput(minute))).toBe(minute);
      }),
    );
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('garbage')).toBeNull();
  });
});

describe('range in the URL', () => {
  test.each([
    ['', { preset: '24h', from: null, to: null, includeSuspect: true }],
    ['range=30d&suspect=0', { preset: '30d', from: null, to: null, includeSuspect: false }],
    ['range=custom&from=2030-01-01T00:00:00.000Z&to=2030-01-02T00:00:00.000Z', { preset: 'custom', from: '2030-01-01T00:00:00.000Z', to: '2030-01-02T00:00:00.000Z', includeSuspect: true }],
    ['range=bogus', { preset: '24h', from: null, to: null, includeSuspect: true }],
    ['range=7d&from=2030-01-01T00:00:00.000Z', { preset: '7d', from: null, to: null, includeSuspect: true }],
  ])('?%s reads as %j and writes back the same', (query, value) => {
    const parsed = rangeFromQuery(new URLSearchParams(query));
    expect(parsed).toEqual(value);
    expect(rangeFromQuery(rangeToQuery(parsed))).toEqual(parsed);
  });

  test('writing the range keeps unrelated query parameters', () => {
    const query = rangeToQuery({ preset: '7d', from: null, to: null, includeSuspect: true }, new URLSearchParams('tab=x&range=30d'));
    expect(query.toString()).toBe('tab=x&range=7d');
  });
});

describe('a custom range typed in the inputs', () => {
  const start = toLocalInput('2030-01-01T10:00:00.000Z');
  const end = toLocalInput('2030-01-02T10:00:00.000Z');

  test.each([
    ['a start before the end', start, end, { from: '2030-01-01T10:00:00.000Z', to: '2030-01-02T10:00:00.000Z' }],
    ['the end before the start', end, start, null],
    ['the same instant twice', start, start, null],
    ['an empty end', start, '', null],
    ['an unreadable start', 'soon', end, null],
  ])('%s gives %j', (_, from, to, range) => {
    expect(customRange(from, to)).toEqual(range);
  });

  test('starts as the last three days, which is a valid range', () => {
    const now = Date.parse('2030-06-15T12:00:00.000Z');
    const inputs = defaultCustomInputs(now);
    expect(customRange(inputs.from, inputs.to)).toEqual({ from: '2030-06-12T12:00:00.000Z', to: '2030-06-15T12:00:00.000Z' });
  });
});

describe('navigation', () => {
  test('admin-only links show to platform admins only', () => {
    const withAdmin: NavLink[] = [...NAV_LINKS, { href: '/admin', label: 'Moderation', adminOnly: true }];
    NAV_LINKS.push(withAdmin.at(-1)!);
    try {
      expect(visibleNavLinks('user').map((l) => l.href)).not.toContain('/admin');
      expect(visibleNavLinks('admin').map((l) => l.href)).toContain('/admin');
    } finally {
      NAV_LINKS.pop();
    }
  });
});
