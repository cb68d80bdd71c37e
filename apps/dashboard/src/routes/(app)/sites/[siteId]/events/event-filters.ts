import { filtersToQuery, instantParam, pickOne, textParam } from '$lib/list-query';
import type { RouterInputs } from '$lib/trpc';
import type { Verdict } from '$lib/verdicts';

/** The events explorer's filters, as the URL holds them (instants are ISO strings). */
export interface EventFilters {
  verdict: '' | Verdict;
  reason: string;
  path: string;
  from: string | null;
  to: string | null;
}

export const EVENTS_PAGE_SIZE = 50;

/** The verdict filter's values, in the order its options show them ('' is any). */
export const VERDICT_CHOICES = ['', 'trusted', 'suspect', 'fraud'] as const;

export function eventFiltersFromQuery(query: URLSearchParams): EventFilters {
  return {
    verdict: pickOne(query.get('verdict'), VERDICT_CHOICES, ''),
    reason: textParam(query, 'reason') ?? '',
    path: textParam(query, 'path') ?? '',
    from: instantParam(query, 'from') ?? null,
    to: instantParam(query, 'to') ?? null,
  };
}

export function eventFiltersToQuery(filters: EventFilters): URLSearchParams {
  return filtersToQuery({ verdict: filters.verdict, reason: filters.reason, path: filters.path.trim(), from: filters.from, to: filters.to });
}

/** The API's list input for these filters (unset ones left out). */
export function eventListInput(filters: EventFilters): Omit<RouterInputs['events']['list'], 'siteId'> {
  return {
    ...(filters.verdict ? { verdict: filters.verdict } : {}),
    ...(filters.reason ? { reason: filters.reason } : {}),
    ...(filters.path.trim() ? { path: filters.path.trim() } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
  };
}
