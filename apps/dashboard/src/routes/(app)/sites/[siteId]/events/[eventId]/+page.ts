import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ params, url, parent }) => {
  await parent();
  const event = await fromApi(url, api.events.get.query({ siteId: params.siteId, eventId: params.eventId }), {
    notFound: { message: 'This event does not exist for this site.' },
  });
  return { event };
};
