import { fromApi } from '$lib/api-load';
import { SITES } from '$lib/load-keys';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ url, parent, depends }) => {
  depends(SITES);
  await parent();
  return { sites: await fromApi(url, api.sites.list.query()) };
};
