/**
 * The file router's pure half: turns `src/routes/**\/+page.svelte` paths into URL patterns
 * (SvelteKit's conventions: a folder per segment, `[param]` for a parameter, `+layout.svelte`
 * wrapping everything below it) and matches URLs against them. No DOM, so it is unit-tested.
 */

export interface RouteEntry<T> {
  /** `/sites/[siteId]/events` */
  id: string;
  segments: Array<{ kind: 'static'; value: string } | { kind: 'param'; name: string }>;
  page: T;
  /** Layout keys from the root down to this route's folder. */
  layouts: string[];
}

export interface RouteMatch<T> {
  route: RouteEntry<T>;
  params: Record<string, string>;
}

const ROUTES_DIR = /^.*\/routes/;

/** `/src/routes/sites/[siteId]/+page.svelte` -> `/sites/[siteId]` */
export function routeIdFromFile(file: string): string {
  const id = file.replace(ROUTES_DIR, '').replace(/\/\+(page|layout)\.svelte$/, '');
  return id === '' ? '/' : id;
}

function parseSegments(id: string): RouteEntry<unknown>['segments'] {
  return id
    .split('/')
    .filter(Boolean)
    .map((part) => {
      const param = /^\[([A-Za-z_][A-Za-z0-9_]*)\]$/.exec(part);
      return param ? { kind: 'param' as const, name: param[1]! } : { kind: 'static' as const, value: part };
    });
}

/**
 * Builds the table. Static segments win over parameters at the same depth (`/sites/new` before
 * `/sites/[siteId]`), as in SvelteKit.
 */
export function buildRouteTable<T>(pages: Record<string, T>, layoutFiles: string[]): Array<RouteEntry<T>> {
  const layoutIds = new Map(layoutFiles.map((file) => [routeIdFromFile(file), file]));
  const routes = Object.entries(pages).map(([file, page]) => {
    const id = routeIdFromFile(file);
    const layouts: string[] = [];
    const parts = id.split('/').filter(Boolean);
    for (let depth = 0; depth <= parts.length; depth++) {
      const prefix = depth === 0 ? '/' : `/${parts.slice(0, depth).join('/')}`;
      const layout = layoutIds.get(prefix);
      if (layout) layouts.push(layout);
    }
    return { id, segments: parseSegments(id), page, layouts };
  });
  const score = (r: RouteEntry<T>) => r.segments.map((s) => (s.kind === 'static' ? '2' : '1')).join('');
  return routes.sort((a, b) => b.segments.length - a.segments.length || score(b).localeCompare(score(a)));
}

export function matchRoute<T>(table: Array<RouteEntry<T>>, pathname: string): RouteMatch<T> | null {
  const parts = pathname.split('/').filter(Boolean);
  for (const route of table) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length; i++) {
      const segment = route.segments[i]!;
      let part: string;
      try {
        part = decodeURIComponent(parts[i]!);
      } catch {
        ok = false;
        break;
      }
      if (segment.kind === 'static' ? segment.value !== part : false) {
        ok = false;
        break;
      }
      if (segment.kind === 'param') params[segment.name] = part;
    }
    if (ok) return { route, params };
  }
  return null;
}
