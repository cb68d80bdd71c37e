import { fromLocalInput, toLocalInput } from './format';

/**
 * A list page's filters live in the URL (bookmarkable, and the `load` function reads them from
 * there). These helpers move them between the URL, the filter form and the API's input.
 */

/** The query string for a set of filters: empty values are left out. */
export function filtersToQuery(filters: Record<string, string | null | undefined>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) query.set(key, value);
  return query;
}

/** One of `allowed`, or `fallback` for anything else (a hand-edited URL). */
export function pickOne<T extends string>(value: string | null, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** ISO instant in the URL -> `datetime-local` text for the form ('' when absent or invalid). */
export function instantToInput(iso: string | null): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  return toLocalInput(iso);
}

/** `datetime-local` text from the form -> ISO instant for the URL (null when empty or invalid). */
export function inputToInstant(text: string): string | null {
  return fromLocalInput(text);
}

/** A valid ISO instant from the URL, or undefined (so the API input leaves it out). */
export function instantParam(query: URLSearchParams, key: string): string | undefined {
  const value = query.get(key);
  return value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

/** A trimmed text parameter, or undefined when empty. */
export function textParam(query: URLSearchParams, key: string): string | undefined {
  return query.get(key)?.trim() || undefined;
}
