import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** Members for everyone who can see the site; secret keys (hints and states) and pending invitations for owners. */
export const load: PageLoad = async ({ params, url, parent }) => {
  const { site } = await parent();
  const owner = site.role === 'owner';
  const [members, keys, invitations] = await fromApi(
    url,
    Promise.all([
      api.sites.members.query({ siteId: params.siteId }),
      owner ? api.keys.list.query({ siteId: params.siteId }) : Promise.resolve([]),
      owner ? api.invitations.list.query({ siteId: params.siteId }) : Promise.resolve([]),
    ]),
  );
  return { members, keys, invitations };
};
