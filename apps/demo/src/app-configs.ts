/**
 * The configurations `npm start` gives the beacon and the API: each app's own loader reads the
 * environment (so every variable of the README's table takes effect here as it does for the app
 * run alone), then the stack sets what it owns: ports, host, the database it started, the dev keys.
 */
import { loadApiConfig, type ApiConfig } from '@tagward/api';
import { loadBeaconConfig, type BeaconConfig } from '@tagward/beacon';
import type { DemoConfig } from './config.js';

export function beaconConfigFor(demo: DemoConfig, env: NodeJS.ProcessEnv, mongodbUri: string): BeaconConfig {
  const fromEnv = loadBeaconConfig({
    ...env,
    // The demo's faster rules refresh and quieter log, unless the environment says otherwise.
    BEACON_RULES_REFRESH_MS: env.BEACON_RULES_REFRESH_MS ?? '1000',
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
  });
  return {
    ...fromEnv,
    port: demo.beaconPort,
    host: demo.host,
    metricsPort: demo.beaconMetricsPort,
    mongodbUri,
    dbName: demo.dbName,
    masterKey: demo.masterKey,
    attestIssuerKeyFile: demo.attestIssuerKeyFile,
    attestSecret: demo.attestSecret,
    attestIssuerName: env.TAGWARD_ATTEST_ISSUER_NAME || `${demo.publicHost}:${demo.beaconPort}`,
  };
}

export function apiConfigFor(demo: DemoConfig, env: NodeJS.ProcessEnv, beaconUrl: string): ApiConfig {
  const fromEnv = loadApiConfig({ ...env, TAGWARD_MASTER_KEY: demo.masterKey });
  return {
    ...fromEnv,
    port: demo.apiPort,
    host: demo.host,
    dbName: demo.dbName,
    publicBeaconUrl: env.TAGWARD_PUBLIC_BEACON_URL ? fromEnv.publicBeaconUrl : beaconUrl,
  };
}
