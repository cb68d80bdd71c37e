import { fromApi } from '$lib/api-load';
import { RULES } from '$lib/load-keys';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** The rules of the scope in the URL (global, or one site's override), their versions, and what the editor offers. */
export const load: PageLoad = async ({ url, parent, depends }) => {
  depends(RULES);
  await parent();
  const scope = url.searchParams.get('scope') || 'global';
  const [rules, versions, catalogue, sites] = await fromApi(
    url,
    Promise.all([
      api.moderation.rules.query({ scope }),
      api.moderation.versions.query({ scope }),
      api.moderation.catalogue.query(),
      // Only names the scope picker's options: without it the picker still shows the current scope.
      api.moderation.sites.query({}).catch(() => []),
    ]),
  );
  return { scope, rules, versions: versions.filter((v) => v.status !== 'draft'), catalogue, sites };
};
