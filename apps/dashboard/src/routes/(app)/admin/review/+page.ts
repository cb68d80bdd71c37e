import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import { REVIEW_PAGE_SIZE, reviewFiltersFromQuery, reviewListInput } from './review-filters';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ url, parent }) => {
  await parent();
  const filters = reviewFiltersFromQuery(url.searchParams);
  const [first, metrics] = await fromApi(
    url,
    Promise.all([
      api.moderation.reviewQueue.query({ ...reviewListInput(filters), cursor: null, limit: REVIEW_PAGE_SIZE }),
      api.moderation.metrics.query({ includeSuspect: false }),
    ]),
  );
  return { filters, first, metrics };
};
