/**
 * The embedded MongoDB-protocol server for development, the demo and the tests.
 *
 * When no MONGODB_URI is given, Tagward starts a server itself (see engines.ts for which one).
 * Several processes (the beacon, the API, parallel test runs) share one server per checkout:
 * whoever finds none starts it, every user holds a lease file, and the last one to release its
 * lease stops the server. A lock file serialises start and stop.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnginePreference } from './engines.js';
import { isAlive, liveLeases, withLock } from './process.js';
import { isWritable, startServer, stopServer, type ServerState } from './server.js';

export interface EmbeddedServer {
  uri: string;
  kind: ServerState['kind'];
  pid: number;
  /** Drops this process's lease; stops the server if no other process holds one. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  /** Default: `.data/db` in this checkout. */
  dataDir?: string;
  log?: (line: string) => void;
  /** `TAGWARD_EMBEDDED_DB`: force `rs`, `py` or `mongod`; default `auto`. */
  preference?: EnginePreference;
  cacheDir?: string;
}

/**
 * The checkout's root: the nearest folder above this module (or the working directory, for a
 * bundled app) whose package.json declares workspaces.
 */
export function findRepoRoot(): string {
  for (const start of [path.dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      try {
        const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown };
        if (pkg.workspaces) return dir;
      } catch {
        // no package.json here: keep walking up
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  return process.cwd();
}

/** Where the embedded server keeps its files; git-ignored (`.data/`). */
export function defaultDataDir(): string {
  return path.join(findRepoRoot(), '.data', 'db');
}

function readState(dir: string): ServerState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'server.json'), 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

/** A running server this checkout started, of the kind asked for, still answering. */
async function usable(state: ServerState | undefined, preference: EnginePreference): Promise<boolean> {
  if (!state || !isAlive(state.pid)) return false;
  const wanted = { auto: undefined, rs: 'secantus-rs', py: 'secantus-py', mongod: 'mongod' }[preference];
  if (wanted && state.kind !== wanted) return false;
  return isWritable(state.uri);
}

/**
 * Returns a running embedded server, starting one if needed, and takes a lease on it for this
 * process. The lease is also dropped when the process exits, so a crashed test run does not keep
 * the server alive forever: the next acquirer prunes leases of dead processes.
 *
 * @example
 * const server = await acquireEmbeddedServer();
 * const conn = await connectDatabase(server.uri, 'tagward');
 * // … later
 * await server.release();
 */
export async function acquireEmbeddedServer(options: AcquireOptions = {}): Promise<EmbeddedServer> {
  const dir = options.dataDir ?? defaultDataDir();
  const log = options.log ?? ((line: string) => process.stderr.write(`[db] ${line}\n`));
  const preference = options.preference ?? 'auto';
  const leaseDir = path.join(dir, 'leases');
  fs.mkdirSync(leaseDir, { recursive: true });
  // One lease per acquisition (pid + random suffix): a process may hold several.
  const leaseFile = path.join(leaseDir, `${process.pid}-${randomBytes(4).toString('hex')}`);
  const lockFile = path.join(dir, 'lock');

  const state = await withLock(lockFile, async () => {
    let current = readState(dir);
    if (!(await usable(current, preference))) {
      if (current && isAlive(current.pid)) await stopServer(current);
      current = await startServer({ dataDir: dir, log, preference, cacheDir: options.cacheDir });
      fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify(current));
      log(`started ${current.kind} (pid ${current.pid}) at ${current.uri}`);
    }
    fs.writeFileSync(leaseFile, '');
    return current!;
  });

  let released = false;
  const dropLeaseOnExit = () => fs.rmSync(leaseFile, { force: true });
  process.once('exit', dropLeaseOnExit);

  return {
    uri: state.uri,
    kind: state.kind,
    pid: state.pid,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', dropLeaseOnExit);
      await withLock(lockFile, async () => {
        fs.rmSync(leaseFile, { force: true });
        const current = readState(dir);
        if (current && liveLeases(leaseDir).length === 0) {
          await stopServer(current);
          fs.rmSync(path.join(dir, 'server.json'), { force: true });
        }
      });
    },
  };
}

export interface DatabaseHandle {
  uri: string;
  release(): Promise<void>;
}

/** MONGODB_URI when given (nothing to release), else the embedded server. */
export async function resolveDatabase(mongodbUri: string | undefined, options: AcquireOptions = {}): Promise<DatabaseHandle> {
  if (mongodbUri) return { uri: mongodbUri, release: async () => undefined };
  const server = await acquireEmbeddedServer(options);
  return { uri: server.uri, release: () => server.release() };
}
