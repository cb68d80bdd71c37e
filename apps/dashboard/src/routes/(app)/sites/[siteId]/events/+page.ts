import { fromApiOrInvalid } from '$lib/api-load';
import { api } from '$lib/trpc';
import { EVENTS_PAGE_SIZE, eventFiltersFromQuery, eventListInput } from './event-filters';
import type { PageLoad } from './$types';

/** The first page of events for the filters in the URL; "load older" fetches the rest. */
export const load: PageLoad = async ({ params, url, parent }) => {
  await parent();
  const filters = eventFiltersFromQuery(url.searchParams);
  const [first, reasons] = await Promise.all([
    fromApiOrInvalid(url, api.events.list.query({ siteId: params.siteId, limit: EVENTS_PAGE_SIZE, cursor: null, ...eventListInput(filters) })),
    // The reason names only label the filter's options: without them it offers the codes.
    api.events.reasonCodes.query().catch(() => []),
  ]);
  return { filters, first: first.value ?? { items: [], nextCursor: null }, invalid: first.invalid, reasons };
};
