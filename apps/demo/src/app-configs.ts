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

/** What the stack knows only once it has started the parts before the API. */
export interface ApiStartFacts {
  beaconUrl: string;
  /** The port the API will listen on (a free one found beforehand when API_PORT is 0). */
  apiPort: number;
  /** SMTP_URL, or the mail catcher's when there is none. */
  smtpUrl: string | undefined;
}

export function apiConfigFor(demo: DemoConfig, env: NodeJS.ProcessEnv, facts: ApiStartFacts): ApiConfig {
  const fromEnv = loadApiConfig({ ...env, TAGWARD_MASTER_KEY: demo.masterKey });
  return {
    ...fromEnv,
    port: facts.apiPort,
    host: demo.host,
    dbName: demo.dbName,
    publicBeaconUrl: env.TAGWARD_PUBLIC_BEACON_URL ? fromEnv.publicBeaconUrl : facts.beaconUrl,
    // Mailed links go to the dashboard this stack serves, unless TAGWARD_DASHBOARD_URL says otherwise.
    publicUrl: env.TAGWARD_DASHBOARD_URL ? fromEnv.publicUrl : `http://${demo.publicHost}:${facts.apiPort}`,
    smtpUrl: facts.smtpUrl,
  };
}
