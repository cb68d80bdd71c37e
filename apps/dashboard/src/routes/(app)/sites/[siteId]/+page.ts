import { fromApiOrInvalid } from '$lib/api-load';
import { rangeFromQuery, rangeInput } from '$lib/range-query';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** The overview for the range in the URL: charts and top pages in one batched request. */
export const load: PageLoad = async ({ params, url, parent }) => {
  await parent();
  const range = rangeFromQuery(url.searchParams);
  const input = { siteId: params.siteId, includeSuspect: range.includeSuspect, ...rangeInput(range) };
  const stats = await fromApiOrInvalid(url, Promise.all([api.stats.overview.query(input), api.stats.topPages.query(input)]));
  return { range, stats: stats.value ? { overview: stats.value[0], topPages: stats.value[1] } : null, invalid: stats.invalid };
};
