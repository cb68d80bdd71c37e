import { filtersToQuery, instantParam, textParam } from '$lib/list-query';

export const AUDIT_PAGE_SIZE = 50;

/** The audit log's filters as the URL holds them (`actor` is the actor's email). */
export interface AuditFilters {
  action: string;
  actorEmail: string;
  from: string | null;
  to: string | null;
}

export function auditFiltersFromQuery(query: URLSearchParams): AuditFilters {
  return {
    action: textParam(query, 'action') ?? '',
    actorEmail: textParam(query, 'actor') ?? '',
    from: instantParam(query, 'from') ?? null,
    to: instantParam(query, 'to') ?? null,
  };
}

export function auditFiltersToQuery(filters: AuditFilters): URLSearchParams {
  return filtersToQuery({ action: filters.action, actor: filters.actorEmail.trim(), from: filters.from, to: filters.to });
}

/** The API's input: unset filters left out. */
export function auditListInput(filters: AuditFilters): { action?: string; actorEmail?: string; from?: string; to?: string } {
  return {
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.actorEmail.trim() ? { actorEmail: filters.actorEmail.trim() } : {}),
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
  };
}

/** The action filter's choices: whole families first (`rules.` = every rules action), then each action seen. */
export function actionChoices(actions: string[]): string[] {
  const families = [...new Set(actions.map((a) => `${a.split('.')[0]!}.`))];
  return [...families, ...actions].sort();
}
