import { describe, expect, test } from 'vitest';
import { afterLoginHref, loginHref } from '$lib/auth-routes';

describe('where the session guards send people', () => {
  test.each([
    ['http://x/sites', '/login?next=%2Fsites'],
    ['http://x/sites/abc/events?verdict=fraud', '/login?next=%2Fsites%2Fabc%2Fevents%3Fverdict%3Dfraud'],
    ['http://x/', '/login?next=%2F'],
  ])('a logged-out visitor of %s goes to %s', (url, href) => {
    expect(loginHref(new URL(url))).toBe(href);
  });

  test.each([
    ['/sites/abc/events?verdict=fraud', '/sites/abc/events?verdict=fraud'],
    ['/account', '/account'],
    [null, '/sites'],
    ['', '/sites'],
    ['https://evil.example/', '/sites'],
    ['//evil.example/path', '/sites'],
    ['/\\evil.example', '/sites'],
    ['javascript:alert(1)', '/sites'],
  ])('after logging in, next=%j leads to %s', (next, href) => {
    expect(afterLoginHref(next)).toBe(href);
  });
});
