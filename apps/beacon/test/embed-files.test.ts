import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startTestBeacon, type TestBeacon } from './helpers.js';

let t: TestBeacon;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-embed-dist-'));

beforeAll(async () => {
  for (const name of ['v1.js', 'v1-spa.js', 'attest-v1.js', 'tagward.0123456789.js', 'tagward.0123456789.js.map', 'manifest.json']) {
    fs.writeFileSync(path.join(dir, name), name.endsWith('.js') ? `/* ${name} */` : '{}');
  }
  fs.writeFileSync(path.join(os.tmpdir(), 'secret.txt'), 'do not serve');
  t = await startTestBeacon('embed_files', {}, undefined, dir);
});
afterAll(async () => {
  await t?.close();
});

test.each([
  ['/v1.js', 'public, max-age=300', undefined],
  ['/v1-spa.js', 'public, max-age=300', undefined],
  ['/attest-v1.js', 'public, max-age=300', undefined],
  ['/tagward.0123456789.js', 'public, max-age=31536000, immutable', 'tagward.0123456789.js.map'],
  ['/tagward.0123456789.js.map', 'public, max-age=31536000, immutable', undefined],
])('serves %s with cache policy %s', async (file, cacheControl, sourceMap) => {
  const res = await fetch(t.url + file);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe(cacheControl);
  expect(res.headers.get('sourcemap') ?? undefined).toBe(sourceMap);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
});

test.each(['/../secret.txt', '/%2e%2e/secret.txt', '/tagward.js', '/v2.js'])('refuses %s', async (file) => {
  const res = await fetch(t.url + file);
  expect(res.status).toBe(404);
});
