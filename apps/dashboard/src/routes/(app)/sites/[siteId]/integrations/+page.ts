import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** Restricted keys, webhook endpoints and alert thresholds: owners only (they hold secrets). */
export const load: PageLoad = async ({ params, url, parent }) => {
  const { site } = await parent();
  if (site.role !== 'owner') return { keys: [], endpoints: [], alerts: null };
  const siteId = params.siteId;
  const [keys, endpoints, alerts] = await fromApi(
    url,
    Promise.all([api.apiKeys.list.query({ siteId }), api.webhooks.list.query({ siteId }), api.webhooks.alertSettings.query({ siteId })]),
  );
  return { keys, endpoints, alerts };
};
