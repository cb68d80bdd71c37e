/**
 * The embedded MongoDB-protocol server for development, the demo and the tests.
 *
 * When MONGODB_URI is unset, Tagward starts a server itself: a `mongod` on PATH if there is one,
 * else FerretDB 1.x on SQLite. Several processes (the beacon, the API, parallel test runs) share
 * one server: whoever finds none starts it, every user holds a lease file, and the last one to
 * release its lease stops the server. A lock file serialises start and stop.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

export interface EmbeddedServer {
  uri: string;
  kind: 'mongod' | 'ferretdb';
  pid: number;
  /** Drops this process's lease; stops the server if no other process holds one. */
  release(): Promise<void>;
}

export interface ServerState {
  pid: number;
  port: number;
  kind: 'mongod' | 'ferretdb';
  uri: string;
}

export class EmbeddedDatabaseError extends Error {
  constructor(
    readonly code: 'NO_DATABASE_AVAILABLE' | 'DATABASE_START_FAILED' | 'DATABASE_BUILD_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbeddedDatabaseError';
  }
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A cross-process mutex: exclusive creation of a file holding our pid; stale owners are evicted. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lockFile = path.join(dir, 'lock');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let owner: number;
      try {
        owner = Number(fs.readFileSync(lockFile, 'utf8').trim() || '0');
      } catch {
        continue; // released between our two calls: try again
      }
      if (owner && !isAlive(owner)) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${lockFile} (held by pid ${owner})`, { cause: error });
      }
      await sleep(50 + Math.random() * 100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function readState(dir: string): ServerState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'server.json'), 'utf8')) as ServerState;
  } catch {
    return undefined;
  }
}

function liveLeases(dir: string): string[] {
  const leaseDir = path.join(dir, 'leases');
  if (!fs.existsSync(leaseDir)) return [];
  return fs.readdirSync(leaseDir).filter((name) => {
    if (isAlive(Number(name.split('-')[0]))) return true;
    fs.rmSync(path.join(leaseDir, name), { force: true });
    return false;
  });
}

async function ping(uri: string, timeoutMs = 1000): Promise<string | undefined> {
  const client = new mongoose.mongo.MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
  });
  try {
    await client.connect();
    const info = await client.db('admin').command({ buildInfo: 1 });
    return String(info.version);
  } catch {
    return undefined;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function onPath(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}

function cacheDir(): string {
  return path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'tagward');
}

/**
 * Finds or builds the FerretDB binary. A plain `go install …/cmd/ferretdb@v1.24.2` builds a binary
 * that panics at start ("Invalid build/version/version.txt"): the module zip lacks that generated
 * file. So we fetch the same module with the Go toolchain, add the file and build it ourselves,
 * once per machine, into ~/.cache/tagward. The Go build cache makes a rebuild take seconds.
 */
function ferretdbBinary(log: (line: string) => void): string {
  const explicit = process.env.FERRETDB_BIN;
  if (explicit) return explicit;
  const target = path.join(cacheDir(), `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
  if (fs.existsSync(target)) return target;
  const go = onPath('go');
  if (!go) {
    throw new EmbeddedDatabaseError(
      'NO_DATABASE_AVAILABLE',
      'No database: MONGODB_URI is not set, there is no `mongod` on PATH and no Go toolchain to build ' +
        `FerretDB ${FERRETDB_VERSION}. Install one of: Go >= 1.24 (https://go.dev/dl), MongoDB ` +
        '(`mongod` on PATH), or point MONGODB_URI at a running MongoDB.',
    );
  }
  log(`building FerretDB ${FERRETDB_VERSION} with ${go} (first run on this machine: a few minutes)`);
  try {
    const env = { ...process.env, GOWORK: 'off', GOFLAGS: '-mod=mod' };
    const info = JSON.parse(
      execFileSync(go, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
        encoding: 'utf8',
        env,
      }),
    ) as { Dir: string };
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-ferretdb-'));
    fs.cpSync(info.Dir, work, { recursive: true });
    execFileSync('chmod', ['-R', 'u+w', work]);
    fs.writeFileSync(path.join(work, 'build/version/version.txt'), `${FERRETDB_VERSION}\n`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const tmpTarget = `${target}.${process.pid}.tmp`;
    execFileSync(go, ['build', '-trimpath', '-o', tmpTarget, './cmd/ferretdb'], {
      cwd: work,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    fs.renameSync(tmpTarget, target);
    fs.rmSync(work, { recursive: true, force: true });
  } catch (error) {
    throw new EmbeddedDatabaseError(
      'DATABASE_BUILD_FAILED',
      `Building FerretDB ${FERRETDB_VERSION} failed: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return target;
}

/**
 * Starts a server process in `dir` (on `port`, or a free one) and waits until it answers.
 * Exported for fault-injection tests that stop a database and start it again on the same port.
 */
export async function startServer(
  dir: string,
  log: (line: string) => void,
  fixedPort?: number,
): Promise<ServerState> {
  fs.mkdirSync(dir, { recursive: true });
  const port = fixedPort ?? (await freePort());
  const mongod = onPath('mongod');
  const logFile = fs.openSync(path.join(dir, 'server.log'), 'a');
  let kind: ServerState['kind'];
  let child;
  if (mongod) {
    kind = 'mongod';
    const dbPath = path.join(dir, 'mongod');
    fs.mkdirSync(dbPath, { recursive: true });
    child = spawn(mongod, ['--dbpath', dbPath, '--port', String(port), '--bind_ip', '127.0.0.1'], {
      detached: true,
      stdio: ['ignore', logFile, logFile],
    });
  } else {
    kind = 'ferretdb';
    const binary = ferretdbBinary(log);
    const sqliteDir = path.join(dir, 'sqlite');
    fs.mkdirSync(sqliteDir, { recursive: true });
    child = spawn(
      binary,
      [
        '--handler=sqlite',
        // WAL with synchronous=NORMAL: a commit survives a crash of any process, but the last
        // commits may roll back on power loss. Fine for the development/test server, and about
        // twice as fast per write here; production runs MongoDB with its own journal.
        `--sqlite-url=file:${sqliteDir}/?_pragma=synchronous(normal)`,
        `--listen-addr=127.0.0.1:${port}`,
        `--state-dir=${dir}`,
        '--debug-addr=-',
        '--telemetry=disable',
        '--log-level=warn',
      ],
      { detached: true, stdio: ['ignore', logFile, logFile] },
    );
  }
  fs.closeSync(logFile);
  // The server outlives this process when others still hold leases.
  child.unref();
  const pid = child.pid;
  if (!pid) throw new EmbeddedDatabaseError('DATABASE_START_FAILED', `could not spawn ${kind}`);
  const uri = `mongodb://127.0.0.1:${port}/`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) break;
    if (await ping(uri, 500)) return { pid, port, kind, uri };
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  const tail = fs.readFileSync(path.join(dir, 'server.log'), 'utf8').split('\n').slice(-15).join('\n');
  throw new EmbeddedDatabaseError(
    'DATABASE_START_FAILED',
    `${kind} did not become ready on port ${port}; last log lines:\n${tail}`,
  );
}

/** Stops a server started by `startServer` (SIGTERM, then SIGKILL after 10 s). */
export async function stopServer(state: ServerState): Promise<void> {
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
}

export interface AcquireOptions {
  dataDir?: string;
  log?: (line: string) => void;
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
  fs.mkdirSync(path.join(dir, 'leases'), { recursive: true });
  // One lease per acquisition (pid + random suffix): a process may hold several.
  const leaseFile = path.join(dir, 'leases', `${process.pid}-${randomBytes(4).toString('hex')}`);

  const state = await withLock(dir, async () => {
    let current = readState(dir);
    if (!current || !isAlive(current.pid) || !(await ping(current.uri))) {
      if (current && isAlive(current.pid)) await stopServer(current);
      current = await startServer(dir, log);
      fs.writeFileSync(path.join(dir, 'server.json'), JSON.stringify(current));
      log(`started ${current.kind} (pid ${current.pid}) at ${current.uri}`);
    }
    fs.writeFileSync(leaseFile, '');
    return current;
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
      await withLock(dir, async () => {
        fs.rmSync(leaseFile, { force: true });
        const current = readState(dir);
        if (current && liveLeases(dir).length === 0) {
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

/**
 * MONGODB_URI when given (nothing to release), else the embedded server.
 */
export async function resolveDatabase(
  mongodbUri: string | undefined,
  options: AcquireOptions = {},
): Promise<DatabaseHandle> {
  if (mongodbUri) return { uri: mongodbUri, release: async () => undefined };
  const server = await acquireEmbeddedServer(options);
  return { uri: server.uri, release: () => server.release() };
}
