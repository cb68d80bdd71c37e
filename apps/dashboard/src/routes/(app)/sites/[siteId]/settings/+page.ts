import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** Members for everyone who can see the site; secret keys (their hints and states) for owners. */
export const load: PageLoad = async ({ params, url, parent }) => {
  const { site } = await parent();
  const [members, keys] = await fromApi(
    url,
    Promise.all([api.sites.members.query({ siteId: params.siteId }), site.role === 'owner' ? api.keys.list.query({ siteId: params.siteId }) : Promise.resolve([])]),
  );
  return { members, keys };
};
