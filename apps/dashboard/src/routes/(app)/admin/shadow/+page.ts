import { fromApi } from '$lib/api-load';
import { pickOne } from '$lib/list-query';
import { RULES } from '$lib/load-keys';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/** The global rules (is a draft in shadow mode?) and the comparison for the window and version in the URL. */
export const load: PageLoad = async ({ url, parent, depends }) => {
  depends(RULES);
  await parent();
  const preset = pickOne(url.searchParams.get('range'), ['24h', '7d'] as const, '24h');
  const version = Number.parseInt(url.searchParams.get('version') ?? '', 10);
  const [rules, comparison] = await fromApi(
    url,
    Promise.all([
      api.moderation.rules.query({ scope: 'global' }),
      api.moderation.shadowCompare.query({ window: { preset }, ...(Number.isInteger(version) ? { version } : {}) }),
    ]),
  );
  return { preset, rules, comparison };
};
