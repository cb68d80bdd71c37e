import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import { WEBHOOK_LOG } from '$lib/load-keys';
import type { PageLoad } from './$types';

/** One endpoint and the first page of its delivery log; `invalidate(WEBHOOK_LOG)` refreshes both. */
export const load: PageLoad = async ({ params, url, parent, depends }) => {
  depends(WEBHOOK_LOG);
  await parent();
  const input = { siteId: params.siteId, endpointId: params.endpointId };
  const [endpoint, deliveries] = await fromApi(url, Promise.all([api.webhooks.get.query(input), api.webhooks.deliveries.query(input)]), {
    notFound: { title: 'Endpoint not found', message: 'This webhook endpoint does not exist on this site, or you are not one of its owners.' },
  });
  return { endpoint, deliveries };
};
