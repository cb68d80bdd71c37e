import { describe, expect, test } from 'vitest';
import { eventFiltersFromQuery, eventFiltersToQuery, eventListInput } from '../src/routes/(app)/sites/[siteId]/events/event-filters';
import { actionChoices, auditFiltersFromQuery, auditFiltersToQuery, auditListInput } from '../src/routes/(app)/admin/audit/audit-filters';
import { reviewFiltersFromQuery, reviewFiltersToQuery, reviewListInput } from '../src/routes/(app)/admin/review/review-filters';
import { instantToInput, inputToInstant, pickOne } from '$lib/list-query';
import { rangeInput } from '$lib/range-query';

const q = (query: string) => new URLSearchParams(query);

describe('events explorer filters in the URL', () => {
  test.each([
    ['', ''],
    ['verdict=fraud', 'verdict=fraud'],
    ['reason=origin_not_allowed&path=%2Fblog', 'reason=origin_not_allowed&path=%2Fblog'],
    ['from=2030-01-01T00:00:00.000Z&to=2030-01-02T00:00:00.000Z', 'from=2030-01-01T00%3A00%3A00.000Z&to=2030-01-02T00%3A00%3A00.000Z'],
    ['verdict=bogus&from=yesterday&path=%20%20', ''],
  ])('?%s reads and writes back as ?%s', (query, written) => {
    expect(eventFiltersToQuery(eventFiltersFromQuery(q(query))).toString()).toBe(written);
  });

  test('only the filters that are set reach the API', () => {
    expect(eventListInput(eventFiltersFromQuery(q('')))).toEqual({});
    expect(eventListInput(eventFiltersFromQuery(q('verdict=suspect&path=/cart')))).toEqual({ verdict: 'suspect', path: '/cart' });
  });
});

describe('audit log filters in the URL', () => {
  test('the actor is `actor` in the URL and `actorEmail` for the API', () => {
    const filters = auditFiltersFromQuery(q('actor=admin%40example.com&action=rules.'));
    expect(auditListInput(filters)).toEqual({ action: 'rules.', actorEmail: 'admin@example.com' });
    expect(auditFiltersToQuery(filters).toString()).toBe('action=rules.&actor=admin%40example.com');
  });

  test('the action filter offers each family, then each action seen', () => {
    expect(actionChoices(['rules.publish', 'rules.draft.save', 'event.label'])).toEqual(['event.', 'event.label', 'rules.', 'rules.draft.save', 'rules.publish']);
  });
});

describe('review queue filters in the URL', () => {
  test.each([
    ['', { verdict: 'suspect', status: 'unlabeled' }, ''],
    ['verdict=any', { verdict: '', status: 'unlabeled' }, 'verdict=any'],
    ['verdict=fraud&labels=all', { verdict: 'fraud', status: 'all' }, 'verdict=fraud&labels=all'],
    ['verdict=nonsense&labels=nonsense', { verdict: 'suspect', status: 'unlabeled' }, ''],
  ])('?%s is %j and writes back as ?%s', (query, filters, written) => {
    expect(reviewFiltersFromQuery(q(query))).toEqual(filters);
    expect(reviewFiltersToQuery(reviewFiltersFromQuery(q(query))).toString()).toBe(written);
  });

  test('any verdict sends no verdict to the API', () => {
    expect(reviewListInput({ verdict: '', status: 'all' })).toEqual({ status: 'all' });
  });
});

describe('list query helpers', () => {
  test('a value outside the allowed ones falls back', () => {
    expect(pickOne('7d', ['24h', '7d'] as const, '24h')).toBe('7d');
    expect(pickOne(null, ['24h', '7d'] as const, '24h')).toBe('24h');
  });

  test('an instant from the URL shows in the form and goes back unchanged (to the minute)', () => {
    const iso = '2030-06-15T10:30:00.000Z';
    expect(inputToInstant(instantToInput(iso))).toBe(iso);
    expect(instantToInput('not a date')).toBe('');
    expect(instantToInput(null)).toBe('');
  });

  test('a custom range without both ends asks for the last 24 hours', () => {
    expect(rangeInput({ preset: 'custom', from: null, to: null, includeSuspect: true })).toEqual({ preset: '24h' });
    expect(rangeInput({ preset: 'custom', from: 'a', to: 'b', includeSuspect: true })).toEqual({ preset: 'custom', from: 'a', to: 'b' });
    expect(rangeInput({ preset: '30d', from: null, to: null, includeSuspect: false })).toEqual({ preset: '30d' });
  });
});
