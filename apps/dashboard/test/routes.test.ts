/**
 * The real routes' guards: the `load` functions of the layouts, called as SvelteKit calls them.
 * The session is set through the session module itself (as the login form does), so no API call
 * is needed to know who is logged in.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { isHttpError, isRedirect } from '@sveltejs/kit';
import { failLoad, fromApi, fromApiOrInvalid } from '$lib/api-load';
import { currentUser, forgetCurrentUser, setCurrentUser, type User } from '$lib/session';
import { load as appLayout } from '../src/routes/(app)/+layout';
import { load as publicLayout } from '../src/routes/(public)/+layout';
import { load as adminLayout } from '../src/routes/(app)/admin/+layout';
import { load as home } from '../src/routes/(app)/+page';
import { apiError } from './api-error';

const USER: User = { id: 'u1', email: 'owner@example.com', role: 'user', emailVerified: true, twoFactor: false } as User;
const ADMIN: User = { ...USER, id: 'a1', role: 'admin', twoFactor: true } as User;

/** What a load function gets from SvelteKit, as far as these loads read it. */
function event(path: string, parentData: Record<string, unknown> = {}) {
  return { url: new URL(`http://dashboard.test${path}`), parent: async () => parentData } as never;
}

/** Runs a load and returns what it threw (a redirect or an error page), or fails. */
async function thrown(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (e) {
    return e;
  }
  throw new Error('expected the load to throw');
}

afterEach(() => forgetCurrentUser());

describe('the (app) layout: every page but login and signup', () => {
  test('sends a logged-out visitor to the login page, remembering the address', async () => {
    setCurrentUser(null);
    const e = await thrown(() => appLayout(event('/sites/abc/events?verdict=fraud')));
    expect(isRedirect(e) && e.location).toBe('/login?next=%2Fsites%2Fabc%2Fevents%3Fverdict%3Dfraud');
  });

  test('gives its pages the logged-in user', async () => {
    setCurrentUser(USER);
    expect(await appLayout(event('/sites'))).toEqual({ user: USER });
  });

  test('the root address goes to the sites list', async () => {
    const e = await thrown(() => home(event('/', { user: USER })));
    expect(isRedirect(e) && e.location).toBe('/sites');
  });
});

describe('the (public) layout: login and signup', () => {
  test('sends a logged-in user to their sites', async () => {
    setCurrentUser(USER);
    const e = await thrown(() => publicLayout(event('/login')));
    expect(isRedirect(e) && e.location).toBe('/sites');
  });

  test('lets a logged-out visitor in', async () => {
    setCurrentUser(null);
    expect(await publicLayout(event('/login'))).toEqual({});
  });
});

describe('the admin layout', () => {
  test('refuses a user who is not a platform admin, with the section name as the heading', async () => {
    const e = await thrown(() => adminLayout(event('/admin/review', { user: USER })));
    expect(isHttpError(e) && e.status).toBe(403);
    expect(isHttpError(e) && e.body).toEqual({ title: 'Moderation', message: 'This section is for platform administrators.' });
  });

  test('lets a platform admin with two-factor in', async () => {
    expect(await adminLayout(event('/admin/review', { user: ADMIN }))).toEqual({});
  });

  test('sends a platform admin without two-factor to set it up first', async () => {
    const e = await thrown(() => adminLayout(event('/admin/review', { user: { ...ADMIN, twoFactor: false } })));
    expect(isHttpError(e) && e.status).toBe(403);
    expect(isHttpError(e) && (e.body as { message: string }).message).toMatch(/two-factor/);
  });
});

describe('API failures in a load', () => {
  const url = new URL('http://dashboard.test/sites/abc/install');

  test('a 401 forgets the session and redirects to the login page, which comes back here', async () => {
    setCurrentUser(USER);
    const e = await thrown(() => failLoad(apiError('UNAUTHORIZED', 401), url));
    expect(isRedirect(e) && e.location).toBe('/login?next=%2Fsites%2Fabc%2Finstall');
    // Forgotten: the next guard asks the API again instead of trusting the old answer. The API is
    // not running here: its fetch is replaced by one that fails as an unreachable server does
    // (a real request would go to whatever listens on this machine's port 3000).
    const unreachable = vi.fn(async () => {
      throw new TypeError('fetch failed');
    });
    vi.stubGlobal('fetch', unreachable);
    try {
      expect(await currentUser()).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
    expect(unreachable).toHaveBeenCalledTimes(1);
    expect(String((unreachable.mock.calls[0] as unknown[])[0])).toContain('auth.me');
  });

  test.each([
    ['NOT_FOUND', 404],
    ['BAD_REQUEST', 400],
  ])('%s with a not-found page given shows that page as a 404', async (code, status) => {
    const notFound = { title: 'Site not found', message: 'No such site.' };
    const e = await thrown(() => fromApi(url, Promise.reject(apiError(code, status)), { notFound }));
    expect(isHttpError(e) && [e.status, e.body]).toEqual([404, notFound]);
  });

  test.each([
    ['FORBIDDEN', 403, 403],
    ['NOT_FOUND', 404, 404],
    ['INTERNAL_SERVER_ERROR', 500, 500],
  ])('%s is an error page with its status (%i) and the API’s message', async (code, status, shown) => {
    const e = await thrown(() => fromApi(url, Promise.reject(apiError(code, status, 'Said for people.'))));
    expect(isHttpError(e) && [e.status, e.body.message]).toEqual([shown, 'Said for people.']);
  });

  test('a failed fetch (no answer at all) is a 503', async () => {
    const e = await thrown(() => fromApi(url, Promise.reject(new TypeError('fetch failed'))));
    expect(isHttpError(e) && e.status).toBe(503);
  });

  test('for typed input, a 400 is returned to show beside the form; other failures still throw', async () => {
    expect(await fromApiOrInvalid(url, Promise.reject(apiError('BAD_REQUEST', 400, 'Pick a start before the end.')))).toEqual({
      value: null,
      invalid: 'Pick a start before the end.',
    });
    expect(await fromApiOrInvalid(url, Promise.resolve(7))).toEqual({ value: 7, invalid: null });
    await expect(thrown(() => fromApiOrInvalid(url, Promise.reject(apiError('FORBIDDEN', 403))))).resolves.toSatisfy(isHttpError);
  });
});
