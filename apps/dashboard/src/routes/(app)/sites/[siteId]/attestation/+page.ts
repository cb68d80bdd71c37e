import { fromApi } from '$lib/api-load';
import { rangeFromQuery } from '$lib/range-query';
import { api } from '$lib/trpc';
import type { PageLoad } from './$types';

/**
 * Presets only: the overview's suspect toggle means nothing here (both groups show all three
 * verdicts), and custom ranges stay on the overview.
 */
export const load: PageLoad = async ({ params, url, parent }) => {
  await parent();
  const range = rangeFromQuery(url.searchParams);
  const preset = range.preset === 'custom' ? '24h' : range.preset;
  return { preset, cohorts: await fromApi(url, api.attestation.cohorts.query({ siteId: params.siteId, preset })) };
};
