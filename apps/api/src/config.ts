import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { databaseConfigFields, isDevelopmentKey, readDatabaseEnv, refuseInProduction } from '@tagward/config';
import { findRepoRoot } from '@tagward/db';
import { z } from 'zod';
import { parseMasterKey } from '@tagward/keys';
import { DEFAULT_LOGIN_THROTTLE } from '@tagward/auth';

/**
 * The dashboard's build output in this checkout (adapter-static writes `build/`). Resolved from
 * this module's folder, which is `src/` when run from source and `dist/` when bundled: one level
 * below apps/api either way.
 */
const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/build', import.meta.url));

/**
 * The API's whole configuration: the only place in this app that reads the environment.
 * `loadApiConfig` maps variable names to fields; `apiConfigSchema` validates both the
 * environment and configs built in code (the demo, the tests).
 */
export const apiConfigSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4000),
  host: z.string().default('127.0.0.1'),
  ...databaseConfigFields,
  /**
   * 32 bytes, base64 (`openssl rand -base64 32`). Seals the page-token signing keys; it must not
   * live in the database, or a dump of the database could mint page tokens.
   */
  masterKey: z.union([z.instanceof(Uint8Array), z.string()]).transform((value, ctx) => {
    if (value instanceof Uint8Array) return value;
    try {
      return new Uint8Array(parseMasterKey(value));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  /** The beacon's public URL: the install snippet loads the script from it. */
  publicBeaconUrl: z
    .url({ protocol: /^https?$/ })
    .default('http://localhost:4100')
    .transform((url) => url.replace(/\/+$/, '')),
  /**
   * `auto`: Secure cookies except on plain-http localhost (development). `always`: Secure even
   * there. There is deliberately no "never".
   */
  cookieSecure: z.enum(['auto', 'always']).default('auto'),
  /** Other origins whose pages may call the API with cookies (a dev server on another port). */
  trustedOrigins: z
    .union([z.array(z.string()), z.string()])
    .default([])
    .transform((value) =>
      (Array.isArray(value) ? value : value.split(','))
        .map((origin) => origin.trim())
        .filter(Boolean)
        .map((origin) => new URL(origin).origin),
    ),
  /** Trust X-Forwarded-* from one proxy in front of us (for client IPs and https detection). */
  trustProxy: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .default(false)
    .transform((v) => v === true || v === 'true'),
  /** Where the embed build writes manifest.json (default: @tagward/embed's dist folder). */
  embedDir: z.string().optional(),
  /** The built dashboard to serve (its static files and SPA fallback page). */
  dashboardDir: z.string().min(1).default(DEFAULT_DASHBOARD_DIR),
  /** Login throttling (packages/auth throttle.ts); tests shorten it. Not read from the environment. */
  loginThrottle: z
    .object({
      pairFreeFailures: z.number().int().min(1),
      addressFreeFailures: z.number().int().min(1),
      baseDelayMs: z.number().int().min(1),
      maxDelayMs: z.number().int().min(1),
      pairMemoryMs: z.number().int().min(1000),
      addressMemoryMs: z.number().int().min(1000),
      accountAlarmFailures: z.number().int().min(1),
      alarmWindowMs: z.number().int().min(1000),
      knownAddressMs: z.number().int().min(1000),
    })
    .partial()
    .default({})
    .transform((value) => ({ ...DEFAULT_LOGIN_THROTTLE, ...value })),
  /** `NODE_ENV=production`: only `__Host-` cookies, HSTS, SMTP required, no source maps served. */
  production: z
    .union([z.boolean(), z.string()])
    .default(false)
    .transform((v) => v === true || v === 'production'),
  /**
   * The dashboard's public URL, the base of every link we mail. Never taken from the request's
   * Host header: a forged Host would otherwise put an attacker's domain in a reset link.
   */
  publicUrl: z
    .url({ protocol: /^https?$/ })
    .default('http://localhost:4000')
    .transform((url) => url.replace(/\/+$/, '')),
  /** `smtp://user:pass@host:587` or `smtps://…`; unset outside production: mails are logged. */
  smtpUrl: z.string().regex(/^smtps?:\/\//, 'SMTP_URL must start with smtp:// or smtps://').optional(),
  mailFrom: z.string().min(3).default('Tagward <no-reply@tagward.localhost>'),
  sessionIdleHours: z.coerce.number().positive().default(14 * 24),
  sessionMaxHours: z.coerce.number().positive().default(30 * 24),
  /** Sign-ups per client address and per network (IPv4 /24, IPv6 /48), per hour. */
  signupPerAddress: z.coerce.number().int().min(1).default(5),
  signupPerNetwork: z.coerce.number().int().min(1).default(20),
  /** Account mails (sign-up, reset, invitation) to one recipient per hour. */
  mailsPerRecipient: z.coerce.number().int().min(1).default(5),
  /** Calls in one tRPC batch; the dashboard sends at most a handful. */
  maxBatchSize: z.coerce.number().int().min(1).max(100).default(10),
  /** Largest request body, in bytes. */
  maxBodyBytes: z.coerce.number().int().min(1024).default(64 * 1024),
  /** Whether anyone may create an account. Off: accounts are created by an operator. */
  signupOpen: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .default(true)
    .transform((v) => v === true || v === 'true'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Requests per API key (secret or restricted) per window on /api/v1, all processes together. */
  apiRateLimit: z
    .object({
      perKey: z.coerce.number().int().min(1).default(600),
      windowMs: z.coerce.number().int().min(1000).default(60_000),
      /** Exports per key per hour (each streams up to a whole window of events). */
      exportsPerHour: z.coerce.number().int().min(1).default(30),
    })
    .default({ perKey: 600, windowMs: 60_000, exportsPerHour: 30 }),
  webhooks: z
    .object({
      /**
       * `public-only` (production): deliveries never go to loopback, private, link-local or
       * metadata addresses. `any`: development and tests, whose receivers are on this machine.
       */
      targets: z.enum(['public-only', 'any']).default('public-only'),
      /** Whether this process delivers webhooks and runs the alert sweep (`off` for API-only replicas). */
      worker: z.enum(['on', 'off']).default('on'),
      timeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
      /** First retry delay; each next one doubles, up to `maxDelayMs`, until `giveUpAfterMs`. */
      retryBaseMs: z.coerce.number().int().min(1).default(60_000),
      maxDelayMs: z.coerce.number().int().min(1).default(4 * 3_600_000),
      giveUpAfterMs: z.coerce.number().int().min(1).default(24 * 3_600_000),
      pollMs: z.coerce.number().int().min(10).default(1000),
      alertSweepMs: z.coerce.number().int().min(10).default(60_000),
    })
    .default({
      targets: 'public-only',
      worker: 'on',
      timeoutMs: 10_000,
      retryBaseMs: 60_000,
      maxDelayMs: 4 * 3_600_000,
      giveUpAfterMs: 24 * 3_600_000,
      pollMs: 1000,
      alertSweepMs: 60_000,
    }),
});


export type ApiConfig = z.output<typeof apiConfigSchema>;
export type ApiConfigInput = z.input<typeof apiConfigSchema>;

/** What production (`NODE_ENV=production`) refuses, each with the variable that fixes it. */
export function apiProductionProblems(config: ApiConfig, env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  const devKeyFile = path.join(env.TAGWARD_DEMO_DATA_DIR || path.join(findRepoRoot(), '.data', 'demo'), 'master-key');
  if (isDevelopmentKey(env.TAGWARD_MASTER_KEY, devKeyFile)) {
    problems.push('TAGWARD_MASTER_KEY is the development key npm start generated into .data/demo: generate a real one and keep it out of the checkout');
  }
  if (!config.mongodbUri) problems.push('MONGODB_URI is not set: production runs on a MongoDB replica set, never on the embedded development server');
  if (config.cookieSecure !== 'always') problems.push('COOKIE_SECURE must be `always`: session cookies only ever travel over https');
  if (!config.publicBeaconUrl.startsWith('https://')) problems.push(`TAGWARD_PUBLIC_BEACON_URL is ${config.publicBeaconUrl}: the snippet must load the script over https`);
  const plain = config.trustedOrigins.filter((origin) => origin.startsWith('http://'));
  if (plain.length) problems.push(`TAGWARD_TRUSTED_ORIGINS lists plain-http origins (${plain.join(', ')}): only https origins may call the API with cookies`);
  // Production needs a real mail server and https links in what it mails.
  if (!config.smtpUrl) problems.push('SMTP_URL is required in production: account mails (verification, reset, invitations) go through it');
  if (!config.publicUrl.startsWith('https://')) problems.push(`TAGWARD_DASHBOARD_URL must be https in production (it is ${config.publicUrl}): every mailed link starts with it`);
  return problems;
}

/** The API's configuration from the environment; refuses development defaults in production. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const config = readApiConfig(env);
  refuseInProduction('api', env, apiProductionProblems(config, env));
  return config;
}

/** Just the database settings, for the maintenance scripts (export:site, import:site). */
export function readDatabaseConfig(env: NodeJS.ProcessEnv = process.env): Pick<ApiConfig, 'mongodbUri' | 'dbName' | 'embeddedDb'> {
  return apiConfigSchema.pick({ mongodbUri: true, dbName: true, embeddedDb: true }).parse(readDatabaseEnv(env));
}

/** The configuration without the production checks (check:config prints both). */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const result = apiConfigSchema.safeParse({
    port: env.API_PORT ?? env.PORT,
    host: env.API_HOST,
    ...readDatabaseEnv(env),
    masterKey: env.TAGWARD_MASTER_KEY,
    publicBeaconUrl: env.TAGWARD_PUBLIC_BEACON_URL,
    cookieSecure: env.COOKIE_SECURE,
    trustedOrigins: env.TAGWARD_TRUSTED_ORIGINS,
    trustProxy: env.API_TRUST_PROXY,
    embedDir: env.TAGWARD_EMBED_DIR,
    dashboardDir: env.TAGWARD_DASHBOARD_DIR || undefined,
    signupOpen: env.TAGWARD_SIGNUP_OPEN,
    production: env.NODE_ENV,
    publicUrl: env.TAGWARD_DASHBOARD_URL || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || undefined,
    sessionIdleHours: env.TAGWARD_SESSION_IDLE_HOURS || undefined,
    sessionMaxHours: env.TAGWARD_SESSION_MAX_HOURS || undefined,
    signupPerAddress: env.TAGWARD_SIGNUP_PER_ADDRESS || undefined,
    signupPerNetwork: env.TAGWARD_SIGNUP_PER_NETWORK || undefined,
    mailsPerRecipient: env.TAGWARD_MAILS_PER_RECIPIENT || undefined,
    maxBatchSize: env.API_MAX_BATCH || undefined,
    maxBodyBytes: env.API_MAX_BODY_BYTES || undefined,
    logLevel: env.LOG_LEVEL,
    apiRateLimit: { perKey: env.API_KEY_RATE_LIMIT, windowMs: env.API_KEY_RATE_WINDOW_MS, exportsPerHour: env.API_EXPORTS_PER_HOUR },
    webhooks: {
      targets: env.TAGWARD_WEBHOOK_TARGETS || undefined,
      worker: env.TAGWARD_WEBHOOK_WORKER || undefined,
      timeoutMs: env.TAGWARD_WEBHOOK_TIMEOUT_MS || undefined,
    },
  });
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new Error(
      `invalid API configuration:\n${lines.join('\n')}\n` +
        'TAGWARD_MASTER_KEY is required: generate one with `openssl rand -base64 32`.',
    );
  }
  return result.data;
}
