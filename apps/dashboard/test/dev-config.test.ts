import { expect, test } from 'vitest';
import { loadDevConfig } from '../config';

test.each([
  [{}, 'http://127.0.0.1:4000'],
  [{ TAGWARD_API_URL: '' }, 'http://127.0.0.1:4000'],
  [{ TAGWARD_API_URL: 'http://localhost:4001/' }, 'http://localhost:4001'],
])('the dev server forwards /trpc to the API at %j -> %s', (env, apiUrl) => {
  expect(loadDevConfig(env)).toEqual({ apiUrl });
});

test.each([['not a url'], ['ftp://api.example']])('refuses TAGWARD_API_URL=%s with a clear error', (value) => {
  expect(() => loadDevConfig({ TAGWARD_API_URL: value })).toThrow(/TAGWARD_API_URL/);
});
