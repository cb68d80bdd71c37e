/**
 * What the apps' config modules share: the database variables and their schema fields, the production checks (`NODE_ENV=production` refuses
 * development defaults, naming every problem in one error) and printing an effective
 * configuration with its secrets masked (`npm run check:config`).
 */
import fs from 'node:fs';
import { z } from 'zod';

/** Whether the production checks apply. */
export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV === 'production';
}

/** Every problem of a configuration, stated with the variable to change. */
export class ConfigError extends Error {
  constructor(
    readonly app: string,
    readonly problems: readonly string[],
  ) {
    super(`${app}: the configuration is not fit for production (NODE_ENV=production):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Throws one `ConfigError` naming every problem, in production only. */
export function refuseInProduction(app: string, env: NodeJS.ProcessEnv, problems: readonly string[]): void {
  if (isProduction(env) && problems.length > 0) throw new ConfigError(app, problems);
}

/** The database variables as every process reads them, before its schema validates them. */
export interface DatabaseEnv {
  mongodbUri: string | undefined;
  embeddedDb: string | undefined;
  dbName: string | undefined;
}

/**
 * Where the database is, read the same way by the API, the beacon, `npm start` and the
 * maintenance scripts: MONGODB_URI, else the embedded server that TAGWARD_EMBEDDED_DB names, and
 * TAGWARD_DB_NAME. An empty MONGODB_URI or TAGWARD_EMBEDDED_DB counts as unset (a blank line in
 * an env file must not select "no database"); `databaseConfigFields` in the app's schema then
 * applies the defaults.
 *
 * @example
 * apiConfigSchema.parse({ ...readDatabaseEnv(process.env), port: process.env.API_PORT });
 */
export function readDatabaseEnv(env: NodeJS.ProcessEnv): DatabaseEnv {
  return {
    mongodbUri: env.MONGODB_URI || undefined,
    embeddedDb: env.TAGWARD_EMBEDDED_DB || undefined,
    dbName: env.TAGWARD_DB_NAME,
  };
}

/**
 * The database settings as every app's config schema declares them, to parse what
 * `readDatabaseEnv` read: no URI means the embedded development server, and the database is
 * `tagward` unless TAGWARD_DB_NAME names another.
 *
 * @example
 * const schema = z.object({ port: z.coerce.number().default(4000), ...databaseConfigFields });
 */
export const databaseConfigFields = {
  mongodbUri: z.string().optional(),
  /** Which embedded server to run when there is no MONGODB_URI (TAGWARD_EMBEDDED_DB). */
  embeddedDb: z.enum(['auto', 'rs', 'py', 'mongod']).default('auto'),
  dbName: z.string().default('tagward'),
};

/** A MongoDB URI with its password masked. */
export function maskUri(uri: string): string {
  return uri.replace(/\/\/([^:/@]+):([^@/]+)@/, '//$1:***@');
}

/** A secret: whether it is set, and its length, never its value. */
export function maskSecret(value: string | Uint8Array | undefined): string {
  if (value === undefined || value.length === 0) return '(not set)';
  return `*** (set, ${value instanceof Uint8Array ? `${value.length} bytes` : `${value.length} characters`})`;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

/**
 * Whether `masterKey` is the development key `npm start` generates into its data folder: a key
 * that lives in a checkout's `.data/` is no secret.
 */
export function isDevelopmentKey(masterKey: string | undefined, devKeyFile: string): boolean {
  if (!masterKey) return false;
  try {
    return fs.readFileSync(devKeyFile, 'utf8').trim() === masterKey.trim();
  } catch {
    return false;
  }
}

/** Prints `name  value` lines for `npm run check:config`, secrets already masked by the caller. */
export function formatConfig(app: string, entries: Array<[string, unknown]>, problems: readonly string[], production: boolean): string {
  const width = Math.max(...entries.map(([name]) => name.length));
  const lines = [`${app} — effective configuration${production ? ' (NODE_ENV=production)' : ''}`];
  for (const [name, value] of entries) lines.push(`  ${name.padEnd(width)}  ${value === undefined ? '(not set)' : typeof value === 'string' ? value : JSON.stringify(value)}`);
  if (problems.length === 0) lines.push('  no problems: fit for production');
  else {
    lines.push(production ? '  refused in production:' : '  would be refused with NODE_ENV=production:');
    for (const problem of problems) lines.push(`    - ${problem}`);
  }
  return lines.join('\n');
}

/**
 * The accounts `npm start` seeds, with passwords anyone can read in the README: an API in
 * production refuses to start while they exist with these passwords.
 */
export const DEMO_ACCOUNTS = [
  { email: 'demo@tagward.test', password: 'tagward-demo-pass' },
  { email: 'admin@tagward.test', password: 'tagward-admin-pass' },
] as const;
