/**
 * The OpenAPI document: OpenAPI 3.1, generated from the handlers' schemas, served at
 * /api/v1/openapi.json without a key, and the copy in docs/ is what the server serves.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestApi, type TestApi } from './helpers.js';
import { rest } from './support/integrations.js';
import { openApiDocument } from '../src/rest/openapi.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('openapi');
});
afterAll(async () => {
  await api?.close();
});

type Operation = { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown>; security?: unknown[]; 'x-scope'?: string };

test('is served at /api/v1/openapi.json, without a key, and is the generated document', async () => {
  const res = await rest(api, '/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
});

test('is a valid OpenAPI 3.1 document (checked against the official JSON schema)', async () => {
  const validator = new Validator();
  const result = await validator.validate(JSON.parse(JSON.stringify(openApiDocument())));
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');
});

test('describes every endpoint with its scope, its query parameters and its error answers', () => {
  const doc = openApiDocument() as unknown as { openapi: string; paths: Record<string, { get: Operation }>; components: { schemas: Record<string, unknown> } };
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths).sort()).toEqual(['/events', '/events/export', '/stats/aggregate', '/stats/breakdown', '/stats/timeseries']);
  const scopes = Object.fromEntries(Object.entries(doc.paths).map(([path, item]) => [path, item.get['x-scope']]));
  expect(scopes).toEqual({
    '/stats/aggregate': 'stats:read',
    '/stats/timeseries': 'stats:read',
    '/stats/breakdown': 'stats:read',
    '/events': 'events:read',
    '/events/export': 'events:read',
  });
  for (const item of Object.values(doc.paths)) {
    expect(Object.keys(item.get.responses).sort()).toEqual(['200', '400', '401', '403', '429']);
    expect(item.get.security).toEqual([{ bearer: [] }]);
  }
  expect(doc.paths['/stats/breakdown']!.get.parameters!.map((p) => p.name)).toEqual(['period', 'from', 'to', 'include', 'property', 'limit']);
  expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Aggregate', 'Timeseries', 'Breakdown', 'EventPage', 'Error']));
});

test('docs/openapi.json is up to date (regenerate with `npm run openapi -w @tagward/api`)', () => {
  const committed = JSON.parse(fs.readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8'));
  expect(committed).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
});
