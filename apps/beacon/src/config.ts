import path from 'node:path';
import { z } from 'zod';
import { databaseConfigFields, isDevelopmentKey, isLoopback, readDatabaseEnv, refuseInProduction } from '@tagward/config';
import { findRepoRoot } from '@tagward/db';

/** The beacon's whole configuration. The only place in this app that reads the environment. */
export const beaconConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4100),
  host: z.string().default('127.0.0.1'),
  ...databaseConfigFields,
  /** 32 bytes, base64: opens the page-token signing keys stored encrypted in the database. */
  masterKey: z.string().optional(),
  /** Number of processes (node:cluster workers). 1 runs in-process. */
  workers: z.coerce.number().int().min(1).max(64).default(1),
  /** Trust X-Forwarded-For from a load balancer in front of us. Off: a client could forge it. */
  trustProxy: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  maxBatch: z.coerce.number().int().min(1).max(5000).default(256),
  flushDelayMs: z.coerce.number().int().min(0).max(1000).default(4),
  /** Batches written at once: the next one is sent while the previous commit is in flight. */
  maxFlushes: z.coerce.number().int().min(1).max(16).default(2),
  /** Events waiting for a write before we answer 503 overloaded. */
  maxPending: z.coerce.number().int().min(1).default(20_000),
  /** Beacons per site per window, all processes together (admitted beacons only). */
  keyLimitPerWindow: z.coerce.number().int().min(1).default(60_000),
  /** Per window and site, in each process: per visitor (IP + user agent), address and network. */
  visitorLimitPerWindow: z.coerce.number().int().min(1).default(120),
  addressLimitPerWindow: z.coerce.number().int().min(1).default(600),
  networkLimitPerWindow: z.coerce.number().int().min(1).default(3000),
  /** Open connections at most, in all and per client address; past them a socket is closed at once. */
  maxConnections: z.coerce.number().int().min(1).default(10_000),
  maxConnectionsPerAddress: z.coerce.number().int().min(1).default(64),
  /** A connection that sends nothing for this long is closed. */
  idleTimeoutMs: z.coerce.number().int().min(100).default(10_000),
  /** Prometheus metrics on a listener of their own (never the public port); port 0 picks a free one. */
  metricsHost: z.string().default('127.0.0.1'),
  metricsPort: z.coerce.number().int().min(0).max(65535).default(9464),
  metrics: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on'),
  /** When set, /metrics also needs `Authorization: Bearer <token>`. */
  metricsToken: z.string().min(16).optional(),
  /** Length of a rate-limit window; the two limits above are per window. */
  rateWindowMs: z.coerce.number().int().min(1000).default(60_000),
  rulesRefreshMs: z.coerce.number().int().min(100).default(2000),
  siteCacheMs: z.coerce.number().int().min(0).default(5000),
  /** A body not fully received within this is cut off (408): slow-loris protection. */
  bodyTimeoutMs: z.coerce.number().int().min(50).default(10_000),
  /**
   * Attestation experiment (Privacy Pass issuer and redeemer). Off unless both the issuer key and
   * the attester secret are set; every beacon process must share them.
   */
  attestIssuerKeyFile: z.string().optional(),
  attestSecret: z.string().min(32).optional(),
  /** issuer_name in TokenChallenges: the beacon's public host (host[:port]). */
  attestIssuerName: z.string().default('localhost:4100'),
  /** Leading zero bits per proof-of-work partial solution (4 per challenge). */
  attestDifficultyBits: z.coerce.number().int().min(1).max(24).default(13),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type BeaconConfig = z.infer<typeof beaconConfigSchema>;

/** What production (`NODE_ENV=production`) refuses, each with the variable that fixes it. */
export function beaconProductionProblems(config: BeaconConfig, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const devKeyFile = path.join(env.TAGWARD_DEMO_DATA_DIR || path.join(findRepoRoot(), '.data', 'demo'), 'master-key');
  if (!config.masterKey) problems.push('TAGWARD_MASTER_KEY is not set: page tokens cannot be verified (32 random bytes, base64: `openssl rand -base64 32`)');
  else if (isDevelopmentKey(config.masterKey, devKeyFile)) problems.push('TAGWARD_MASTER_KEY is the development key npm start generated into .data/demo: generate a real one and keep it out of the checkout');
  if (!config.mongodbUri) problems.push('MONGODB_URI is not set: production runs on a MongoDB replica set, never on the embedded development server');
  if (config.metrics && !isLoopback(config.metricsHost) && !config.metricsToken) {
    problems.push(`BEACON_METRICS_HOST is ${config.metricsHost} without BEACON_METRICS_TOKEN: metrics off loopback need a bearer token`);
  }
  if (Boolean(config.attestIssuerKeyFile) !== Boolean(config.attestSecret)) {
    problems.push('the attestation experiment needs both TAGWARD_ATTEST_ISSUER_KEY_FILE and TAGWARD_ATTEST_SECRET (or neither)');
  }
  return problems;
}

/** The beacon's configuration from the environment; refuses development defaults in production. */
export function loadBeaconConfig(env: NodeJS.ProcessEnv = process.env): BeaconConfig {
  const config = readBeaconConfig(env);
  refuseInProduction('beacon', env, beaconProductionProblems(config, env));
  return config;
}

/** The configuration without the production checks (check:config prints both). */
export function readBeaconConfig(env: NodeJS.ProcessEnv = process.env): BeaconConfig {
  return beaconConfigSchema.parse({
    port: env.BEACON_PORT ?? env.PORT,
    host: env.BEACON_HOST,
    ...readDatabaseEnv(env),
    masterKey: env.TAGWARD_MASTER_KEY,
    workers: env.BEACON_WORKERS,
    trustProxy: env.BEACON_TRUST_PROXY,
    maxBatch: env.BEACON_MAX_BATCH,
    flushDelayMs: env.BEACON_FLUSH_DELAY_MS,
    maxFlushes: env.BEACON_MAX_FLUSHES,
    maxPending: env.BEACON_MAX_PENDING,
    keyLimitPerWindow: env.BEACON_KEY_LIMIT,
    visitorLimitPerWindow: env.BEACON_VISITOR_LIMIT,
    addressLimitPerWindow: env.BEACON_ADDRESS_LIMIT,
    networkLimitPerWindow: env.BEACON_NETWORK_LIMIT,
    maxConnections: env.BEACON_MAX_CONNECTIONS,
    maxConnectionsPerAddress: env.BEACON_MAX_CONNECTIONS_PER_ADDRESS,
    idleTimeoutMs: env.BEACON_IDLE_TIMEOUT_MS,
    metricsHost: env.BEACON_METRICS_HOST,
    metricsPort: env.BEACON_METRICS_PORT,
    metrics: env.BEACON_METRICS,
    metricsToken: env.BEACON_METRICS_TOKEN || undefined,
    rateWindowMs: env.BEACON_RATE_WINDOW_MS,
    rulesRefreshMs: env.BEACON_RULES_REFRESH_MS,
    siteCacheMs: env.BEACON_SITE_CACHE_MS,
    bodyTimeoutMs: env.BEACON_BODY_TIMEOUT_MS,
    attestIssuerKeyFile: env.TAGWARD_ATTEST_ISSUER_KEY_FILE || undefined,
    attestSecret: env.TAGWARD_ATTEST_SECRET || undefined,
    attestIssuerName: env.TAGWARD_ATTEST_ISSUER_NAME,
    attestDifficultyBits: env.TAGWARD_ATTEST_DIFFICULTY_BITS,
    logLevel: env.LOG_LEVEL,
  });
}
