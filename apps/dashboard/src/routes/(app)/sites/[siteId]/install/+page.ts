import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, url, parent }) => {
  await parent();
  const [install, status] = await fromApi(
    url,
    Promise.all([api.sites.install.query({ siteId: params.siteId }), api.sites.integrationStatus.query({ siteId: params.siteId })]),
  );
  return { install, status };
};
