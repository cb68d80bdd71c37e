import { fromApi } from '$lib/api-load';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ url, parent }) => {
  await parent();
  return { status: await fromApi(url, api.twoFactor.status.query()) };
};
