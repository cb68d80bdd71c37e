import { pickOne } from '$lib/list-query';

export const REVIEW_PAGE_SIZE = 25;

/** The verdict filter's values, in the order its options show them: the default first, '' (any) last. */
export const VERDICT_CHOICES = ['suspect', 'fraud', 'trusted', ''] as const;
const STATUSES = ['unlabeled', 'labeled', 'all'] as const;

/** The queue's filters. `verdict: ''` is any verdict; by default the queue shows unlabelled suspects. */
export interface ReviewFilters {
  verdict: (typeof VERDICT_CHOICES)[number];
  status: (typeof STATUSES)[number];
}

export function reviewFiltersFromQuery(query: URLSearchParams): ReviewFilters {
  const verdict = query.get('verdict');
  return {
    verdict: verdict === 'any' ? '' : pickOne(verdict, VERDICT_CHOICES, 'suspect'),
    status: pickOne(query.get('labels'), STATUSES, 'unlabeled'),
  };
}

/** Defaults are left out of the URL; "any verdict" is spelled out, since no verdict means suspect. */
export function reviewFiltersToQuery(filters: ReviewFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.verdict !== 'suspect') query.set('verdict', filters.verdict || 'any');
  if (filters.status !== 'unlabeled') query.set('labels', filters.status);
  return query;
}

export function reviewListInput(filters: ReviewFilters): { status: ReviewFilters['status']; verdict?: 'suspect' | 'fraud' | 'trusted' } {
  return { status: filters.status, ...(filters.verdict ? { verdict: filters.verdict } : {}) };
}
