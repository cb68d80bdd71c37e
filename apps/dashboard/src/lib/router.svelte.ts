import type { Component } from 'svelte';
import { buildRouteTable, matchRoute, type RouteEntry } from './route-table.js';

/**
 * A small SvelteKit-style file router: every `src/routes/**\/+page.svelte` is a page, loaded on
 * first visit; every `+layout.svelte` wraps the pages below it. Links are plain `<a href>`:
 * clicks on same-origin links are taken over here, everything else is left to the browser.
 */

type Loader = () => Promise<{ default: Component<Record<string, unknown>> }>;

const pages = import.meta.glob<{ default: Component<Record<string, unknown>> }>('/src/routes/**/+page.svelte');
const layouts = import.meta.glob<{ default: Component<Record<string, unknown>> }>('/src/routes/**/+layout.svelte');

const table: Array<RouteEntry<Loader>> = buildRouteTable(pages as Record<string, Loader>, Object.keys(layouts));

export interface CurrentRoute {
  url: URL;
  routeId: string | null;
  params: Record<string, string>;
  page: Component<Record<string, unknown>> | null;
  layouts: Array<Component<Record<string, unknown>>>;
}

class Router {
  current = $state<CurrentRoute>({ url: new URL(location.href), routeId: null, params: {}, page: null, layouts: [] });
  loading = $state(false);
  private generation = 0;

  get url(): URL {
    return this.current.url;
  }

  get params(): Record<string, string> {
    return this.current.params;
  }

  /** Resolves the URL to components, then swaps them in (the old page stays until then). */
  async load(url: URL): Promise<void> {
    const generation = ++this.generation;
    const match = matchRoute(table, url.pathname);
    this.loading = true;
    try {
      if (!match) {
        this.current = { url, routeId: null, params: {}, page: null, layouts: [] };
        return;
      }
      const [page, ...wrappers] = await Promise.all([
        match.route.page(),
        ...match.route.layouts.map((file) => (layouts[file] as () => Promise<{ default: Component<Record<string, unknown>> }>)()),
      ]);
      if (generation !== this.generation) return; // a newer navigation won
      this.current = {
        url,
        routeId: match.route.id,
        params: match.params,
        page: page!.default,
        layouts: wrappers.map((m) => m.default),
      };
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  async goto(href: string, options: { replace?: boolean } = {}): Promise<void> {
    const url = new URL(href, location.href);
    if (options.replace) history.replaceState({}, '', url);
    else history.pushState({}, '', url);
    await this.load(url);
    if (!options.replace) window.scrollTo(0, 0);
  }

  /** Updates the query string of the current page without a new history entry per keystroke. */
  setQuery(query: URLSearchParams, options: { replace?: boolean } = { replace: true }): void {
    const search = query.toString();
    const url = new URL(`${location.pathname}${search ? `?${search}` : ''}`, location.href);
    if (options.replace) history.replaceState({}, '', url);
    else history.pushState({}, '', url);
    this.current = { ...this.current, url };
  }

  start(): void {
    addEventListener('popstate', () => void this.load(new URL(location.href)));
    document.addEventListener('click', (event) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const anchor = (event.target as Element | null)?.closest?.('a');
      if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.getAttribute('rel') === 'external') return;
      const url = new URL(anchor.href, location.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/trpc')) return;
      event.preventDefault();
      void this.goto(url.pathname + url.search + url.hash);
    });
    void this.load(new URL(location.href));
  }
}

export const router = new Router();
