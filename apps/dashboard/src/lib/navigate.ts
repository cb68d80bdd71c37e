import { goto } from '$app/navigation';
import { navigating, page } from '$app/state';

/**
 * Shows this page with a new query string (filters, a date range): its `load` runs again with
 * them, and the URL can be bookmarked. One history entry per page, not per change, and focus and
 * scroll stay where the user is.
 */
export function gotoQuery(query: URLSearchParams): Promise<void> {
  const search = query.toString();
  // The path is the current page's own, so already resolved; only the query string changes.
  // eslint-disable-next-line svelte/no-navigation-without-resolve
  return goto(`${page.url.pathname}${search ? `?${search}` : ''}`, { replaceState: true, keepFocus: true, noScroll: true });
}

/**
 * Whether this page's load is running again for a new query (new filters, another range), the
 * page still showing the old data meanwhile. Reactive: read it in a `$derived`.
 */
export function reloadingThisPage(): boolean {
  return navigating.to !== null && navigating.to.route.id === page.route.id;
}
