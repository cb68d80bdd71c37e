import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { ConfigError, databaseConfigFields, formatConfig, isDevelopmentKey, isLoopback, maskSecret, maskUri, readDatabaseEnv, refuseInProduction } from '../src/index.js';

test('production refuses with one error naming every problem; development lets it be', () => {
  expect(() => refuseInProduction('api', { NODE_ENV: 'production' }, ['a', 'b'])).toThrow(ConfigError);
  try {
    refuseInProduction('api', { NODE_ENV: 'production' }, ['first problem', 'second problem']);
  } catch (error) {
    expect((error as Error).message).toMatch(/api: .*\n {2}- first problem\n {2}- second problem/);
  }
  expect(() => refuseInProduction('api', {}, ['a'])).not.toThrow();
  expect(() => refuseInProduction('api', { NODE_ENV: 'production' }, [])).not.toThrow();
});

test.each([
  ['mongodb://user:hunter2@db.example:27017/tagward', 'mongodb://user:***@db.example:27017/tagward'],
  ['mongodb+srv://u:p%40ss@cluster.example/', 'mongodb+srv://u:***@cluster.example/'],
  ['mongodb://127.0.0.1:27017/', 'mongodb://127.0.0.1:27017/'],
])('masks the password of %s', (uri, masked) => {
  expect(maskUri(uri)).toBe(masked);
});

test('a secret shows whether it is set, never its value', () => {
  expect(maskSecret(undefined)).toBe('(not set)');
  expect(maskSecret('s3cret-value')).not.toContain('s3cret');
  expect(maskSecret(new Uint8Array(32))).toContain('32 bytes');
});

test.each([['127.0.0.1', true], ['::1', true], ['localhost', true], ['0.0.0.0', false], ['10.0.0.5', false]])('%s is loopback: %s', (host, loopback) => {
  expect(isLoopback(host)).toBe(loopback);
});

test('the development key npm start generates is recognised', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-config-')), 'master-key');
  fs.writeFileSync(file, 'abc=\n');
  expect(isDevelopmentKey('abc=', file)).toBe(true);
  expect(isDevelopmentKey('other=', file)).toBe(false);
  expect(isDevelopmentKey('abc=', '/nonexistent/master-key')).toBe(false);
});

test('the printout lists every entry and says whether production would refuse it', () => {
  const text = formatConfig('beacon', [['port', 4100], ['masterKey', maskSecret('x')]], ['MONGODB_URI is not set'], false);
  expect(text).toContain('would be refused with NODE_ENV=production');
  expect(text).toContain('MONGODB_URI is not set');
  expect(formatConfig('beacon', [['port', 1]], [], true)).toContain('fit for production');
});

test.each([
  [{}, { mongodbUri: undefined, embeddedDb: undefined, dbName: undefined }],
  [{ MONGODB_URI: '', TAGWARD_EMBEDDED_DB: '' }, { mongodbUri: undefined, embeddedDb: undefined, dbName: undefined }],
  [
    { MONGODB_URI: 'mongodb://db.example/', TAGWARD_EMBEDDED_DB: 'rs', TAGWARD_DB_NAME: 'tagward_eu' },
    { mongodbUri: 'mongodb://db.example/', embeddedDb: 'rs', dbName: 'tagward_eu' },
  ],
])('reads the database variables %j as %j, a blank one as unset', (env, expected) => {
  expect(readDatabaseEnv(env)).toEqual(expected);
});

test('the database fields default to the embedded server and the tagward database, and know only its engines', () => {
  const schema = z.object(databaseConfigFields);
  expect(schema.parse(readDatabaseEnv({}))).toEqual({ mongodbUri: undefined, embeddedDb: 'auto', dbName: 'tagward' });
  expect(schema.parse(readDatabaseEnv({ TAGWARD_EMBEDDED_DB: 'mongod', TAGWARD_DB_NAME: 'tagward_eu' }))).toMatchObject({ embeddedDb: 'mongod', dbName: 'tagward_eu' });
  expect(schema.safeParse(readDatabaseEnv({ TAGWARD_EMBEDDED_DB: 'sqlite' })).success).toBe(false);
});
