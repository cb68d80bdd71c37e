import { describe, expect, test } from 'vitest';
import { buildRouteTable, matchRoute, routeIdFromFile } from '../src/lib/route-table.js';

const files = [
  '/src/routes/+page.svelte',
  '/src/routes/login/+page.svelte',
  '/src/routes/sites/+page.svelte',
  '/src/routes/sites/new/+page.svelte',
  '/src/routes/sites/[siteId]/+page.svelte',
  '/src/routes/sites/[siteId]/events/+page.svelte',
  '/src/routes/sites/[siteId]/events/[eventId]/+page.svelte',
  '/src/routes/admin/rules/+page.svelte',
];
const layouts = ['/src/routes/+layout.svelte', '/src/routes/sites/[siteId]/+layout.svelte', '/src/routes/admin/+layout.svelte'];
const table = buildRouteTable(Object.fromEntries(files.map((f) => [f, f])), layouts);

describe('file router', () => {
  test.each([
    ['/src/routes/+page.svelte', '/'],
    ['/src/routes/sites/[siteId]/+layout.svelte', '/sites/[siteId]'],
    ['/src/routes/a/b/+page.svelte', '/a/b'],
  ])('%s is the route %s', (file, id) => {
    expect(routeIdFromFile(file)).toBe(id);
  });

  test.each([
    ['/', '/', {}],
    ['/login', '/login', {}],
    ['/sites', '/sites', {}],
    ['/sites/', '/sites', {}],
    ['/sites/new', '/sites/new', {}],
    ['/sites/abc123', '/sites/[siteId]', { siteId: 'abc123' }],
    ['/sites/abc/events', '/sites/[siteId]/events', { siteId: 'abc' }],
    ['/sites/abc/events/e1', '/sites/[siteId]/events/[eventId]', { siteId: 'abc', eventId: 'e1' }],
    ['/sites/a%20b', '/sites/[siteId]', { siteId: 'a b' }],
    ['/admin/rules', '/admin/rules', {}],
  ])('%s matches %s with %j', (path, id, params) => {
    const match = matchRoute(table, path);
    expect(match?.route.id).toBe(id);
    expect(match?.params).toEqual(params);
  });

  test.each(['/nope', '/sites/a/b/c/d/e', '/sites/%E0%A4%A', '/login/extra'])('%s matches nothing', (path) => {
    expect(matchRoute(table, path)).toBeNull();
  });

  test('a page is wrapped by every layout from the root down to its folder', () => {
    expect(matchRoute(table, '/sites/x/events/y')?.route.layouts).toEqual(['/src/routes/+layout.svelte', '/src/routes/sites/[siteId]/+layout.svelte']);
    expect(matchRoute(table, '/sites')?.route.layouts).toEqual(['/src/routes/+layout.svelte']);
    expect(matchRoute(table, '/admin/rules')?.route.layouts).toEqual(['/src/routes/+layout.svelte', '/src/routes/admin/+layout.svelte']);
  });

  test('the routes the dashboard actually ships all resolve', async () => {
    const { readdirSync, statSync } = await import('node:fs');
    const { join, relative } = await import('node:path');
    const root = new URL('../src/routes', import.meta.url).pathname;
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name === '+page.svelte') found.push(`/src/routes/${relative(root, full)}`);
      }
    };
    walk(root);
    const shipped = buildRouteTable(Object.fromEntries(found.map((f) => [f, f])), []);
    for (const path of ['/login', '/signup', '/account', '/sites', '/sites/0123456789abcdef01234567', '/sites/x/events', '/sites/x/events/y', '/sites/x/install', '/sites/x/settings']) {
      expect(matchRoute(shipped, path), path).not.toBeNull();
    }
  });
});
