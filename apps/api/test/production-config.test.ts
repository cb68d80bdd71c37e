import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ConfigError, DEMO_ACCOUNTS } from '@tagward/config';
import { hashPassword } from '@tagward/auth';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { loadApiConfig } from '../src/config.js';
import { refuseDemoAccounts } from '../src/production.js';

const KEY = Buffer.alloc(32, 3).toString('base64');
const GOOD = {
  NODE_ENV: 'production',
  TAGWARD_MASTER_KEY: KEY,
  MONGODB_URI: 'mongodb://db1.example,db2.example,db3.example/?replicaSet=rs0',
  COOKIE_SECURE: 'always',
  TAGWARD_PUBLIC_BEACON_URL: 'https://beacon.example.com',
  SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587',
  TAGWARD_DASHBOARD_URL: 'https://dash.example.com',
};

test('a production configuration with every setting given loads', () => {
  expect(loadApiConfig(GOOD).cookieSecure).toBe('always');
});

test('production refuses the development defaults in one error that names every problem', () => {
  let error: unknown;
  try {
    loadApiConfig({ NODE_ENV: 'production', TAGWARD_MASTER_KEY: KEY, TAGWARD_TRUSTED_ORIGINS: 'http://dev.example' });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join('\n');
  for (const variable of ['MONGODB_URI', 'COOKIE_SECURE', 'TAGWARD_PUBLIC_BEACON_URL', 'TAGWARD_TRUSTED_ORIGINS', 'SMTP_URL', 'TAGWARD_DASHBOARD_URL']) expect(problems).toContain(variable);
  // Development is unchanged.
  expect(() => loadApiConfig({ TAGWARD_MASTER_KEY: KEY })).not.toThrow();
});

test('the API process exits at once with that message, before listening', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/main.ts')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', TAGWARD_MASTER_KEY: KEY },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/not fit for production[\s\S]*MONGODB_URI[\s\S]*COOKIE_SECURE/);
});

describe('demo accounts in a production database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('production_demo');
  });
  afterAll(async () => {
    await db?.dispose();
  });

  test('are refused while they have their published passwords, and accepted once changed', async () => {
    await refuseDemoAccounts(db);
    const user = await db.models.User.create({ email: DEMO_ACCOUNTS[0].email, passwordHash: await hashPassword(DEMO_ACCOUNTS[0].password) });
    await expect(refuseDemoAccounts(db)).rejects.toThrow(new RegExp(DEMO_ACCOUNTS[0].email));
    await db.models.User.updateOne({ _id: user._id }, { $set: { passwordHash: await hashPassword('a real password of its owner') } });
    await expect(refuseDemoAccounts(db)).resolves.toBeUndefined();
  });
});
