import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ConfigError } from '@tagward/config';
import { loadBeaconConfig } from '../src/config.js';

const KEY = Buffer.alloc(32, 5).toString('base64');

test('production needs a master key and a real MongoDB, and metrics off loopback need a token', () => {
  let error: unknown;
  try {
    loadBeaconConfig({ NODE_ENV: 'production', BEACON_METRICS_HOST: '0.0.0.0', TAGWARD_ATTEST_SECRET: 's'.repeat(40) });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join('\n');
  for (const variable of ['TAGWARD_MASTER_KEY', 'MONGODB_URI', 'BEACON_METRICS_TOKEN', 'TAGWARD_ATTEST_ISSUER_KEY_FILE']) expect(problems).toContain(variable);
  expect(() => loadBeaconConfig({ NODE_ENV: 'production', TAGWARD_MASTER_KEY: KEY, MONGODB_URI: 'mongodb://db.example/?replicaSet=rs0' })).not.toThrow();
  expect(() => loadBeaconConfig({})).not.toThrow();
});

test('the beacon process exits at once with every problem named', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.resolve('src/main.ts')], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(/not fit for production[\s\S]*TAGWARD_MASTER_KEY[\s\S]*MONGODB_URI/);
});
