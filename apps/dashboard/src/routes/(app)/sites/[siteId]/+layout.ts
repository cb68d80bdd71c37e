import { fromApi } from '$lib/api-load';
import { SITE } from '$lib/load-keys';
import { api } from '$lib/trpc';
import type { LayoutLoad } from './$types';

/** The site every page under /sites/[siteId] works on; `invalidate(SITE)` after changing it. */
export const load: LayoutLoad = async ({ params, url, parent, depends }) => {
  depends(SITE);
  await parent();
  const site = await fromApi(url, api.sites.get.query({ siteId: params.siteId }), {
    notFound: { title: 'Site not found', message: 'This site does not exist, or you are not a member of it.' },
  });
  return { site };
};
