import { fromApiOrInvalid } from '$lib/api-load';
import { api } from '$lib/trpc';
import { AUDIT_PAGE_SIZE, auditFiltersFromQuery, auditListInput } from './audit-filters';
import type { PageLoad } from './$types';

export const load: PageLoad = async ({ url, parent }) => {
  await parent();
  const filters = auditFiltersFromQuery(url.searchParams);
  const [first, actions] = await Promise.all([
    fromApiOrInvalid(url, api.moderation.auditLog.query({ ...auditListInput(filters), cursor: null, limit: AUDIT_PAGE_SIZE })),
    // Only fills the action filter's choices.
    api.moderation.auditActions.query().catch(() => []),
  ]);
  return { filters, first: first.value ?? { items: [], nextCursor: null }, invalid: first.invalid, actions };
};
