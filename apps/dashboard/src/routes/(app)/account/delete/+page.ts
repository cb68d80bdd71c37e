import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** What deleting the account would do to each site it is a member of. */
export const load: PageLoad = async ({ url, parent }) => {
  await parent();
  return { plan: await fromApi(url, api.account.deletionPlan.query()) };
};
