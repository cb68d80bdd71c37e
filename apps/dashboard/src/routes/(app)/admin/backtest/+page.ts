import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** The form's choices, recent jobs, and the job named in the URL (`?job=`), which the page polls while it runs. */
export const load: PageLoad = async ({ url, parent }) => {
  await parent();
  const jobId = url.searchParams.get('job');
  const [job, jobs, sites, rules] = await fromApi(
    url,
    Promise.all([
      jobId ? api.moderation.backtest.query({ jobId }) : Promise.resolve(null),
      api.moderation.backtests.query(),
      api.moderation.sites.query({}),
      api.moderation.rules.query({ scope: 'global' }),
    ]),
    { notFound: { message: 'This backtest does not exist (it may have expired).' } },
  );
  return { job, jobs, sites, rules };
};
