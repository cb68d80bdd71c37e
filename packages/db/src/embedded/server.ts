/** Starting and stopping one server process of the embedded database. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mongoose from 'mongoose';
import { findEngine, type Engine, type EngineKind, type EngineOptions } from './engines.js';
import { EmbeddedDatabaseError } from './errors.js';
import { freePort, isAlive, sleep } from './process.js';

export interface ServerState {
  pid: number;
  port: number;
  kind: EngineKind;
  uri: string;
}

export interface StartOptions extends Omit<EngineOptions, 'log'> {
  dataDir: string;
  log?: (line: string) => void;
  /** Serve on this port (a restart in a fault-injection test); default a free one. */
  port?: number;
}

const READY_TIMEOUT_MS = 60_000;

async function withClient<T>(uri: string, timeoutMs: number, fn: (client: mongoose.mongo.MongoClient) => Promise<T>): Promise<T | undefined> {
  const client = new mongoose.mongo.MongoClient(uri, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    directConnection: true,
  });
  try {
    await client.connect();
    return await fn(client);
  } catch {
    return undefined;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** True once the server answers and accepts writes (a replica-set primary). */
export async function isWritable(uri: string, timeoutMs = 1000): Promise<boolean> {
  const hello = await withClient(uri, timeoutMs, (client) => client.db('admin').command({ hello: 1 }));
  return Boolean(hello?.isWritablePrimary);
}

/**
 * A `mongod` needs to be a replica set for transactions. Its replica-set config names its host
 * and port, and the embedded server gets a new port when it restarts, so the one member is
 * (re)configured to the current address on every start.
 */
async function initiateReplicaSet(port: number): Promise<boolean> {
  const host = `127.0.0.1:${port}`;
  const done = await withClient(`mongodb://${host}/`, 2000, async (client) => {
    const admin = client.db('admin');
    const config = await admin.command({ replSetGetConfig: 1 }).then(
      (reply) => reply.config as { version: number; members: Array<{ host: string }> },
      () => undefined,
    );
    if (!config) {
      await admin.command({ replSetInitiate: { _id: 'tagward', members: [{ _id: 0, host }] } });
    } else if (config.members[0]?.host !== host) {
      await admin.command({
        replSetReconfig: { ...config, version: config.version + 1, members: [{ ...config.members[0], _id: 0, host }] },
        force: true,
      });
    }
    return true;
  });
  return done === true;
}

/**
 * Expired sessions, nonces, salts and limiter slots are deleted by TTL indexes, which the server
 * checks once a minute by default. The development server checks every few seconds, so what
 * expires in a test or on the demo is gone soon after (the change applies after the first minute).
 */
async function shortenTtlInterval(uri: string): Promise<void> {
  await withClient(uri, 1000, (client) => client.db('admin').command({ setParameter: 1, ttlMonitorSleepSecs: 2 }));
}

function spawnEngine(engine: Engine, dataDir: string, storageDir: string, port: number, logPath: string): number {
  const configFile = path.join(dataDir, 'secantusd.toml');
  if (!fs.existsSync(configFile)) {
    fs.writeFileSync(configFile, '# Tagward passes every setting on the command line; this file is empty on purpose.\n');
  }
  const logFile = fs.openSync(logPath, 'a');
  // Detached: the server outlives the process that started it while others hold leases.
  const child = spawn(engine.binary, engine.args({ storageDir, port, configFile }), { detached: true, stdio: ['ignore', logFile, logFile] });
  fs.closeSync(logFile);
  child.unref();
  if (!child.pid) throw new EmbeddedDatabaseError('DATABASE_START_FAILED', `could not spawn ${engine.binary}`);
  return child.pid;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Starts a server process for `dataDir` and waits until it accepts writes. Exported for
 * fault-injection tests that stop a database and start it again on the same port.
 */
export async function startServer(options: StartOptions): Promise<ServerState> {
  const log = options.log ?? (() => undefined);
  const engine = await findEngine({ preference: options.preference, cacheDir: options.cacheDir, log });
  const storageDir = path.join(options.dataDir, engine.kind);
  fs.mkdirSync(storageDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const logPath = path.join(options.dataDir, 'server.log');
  const pid = spawnEngine(engine, options.dataDir, storageDir, port, logPath);
  const uri = `mongodb://127.0.0.1:${port}/`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let initiated = false;
  while (Date.now() < deadline && isAlive(pid)) {
    if (await isWritable(uri, 500)) {
      await shortenTtlInterval(uri);
      return { pid, port, kind: engine.kind, uri };
    }
    if (engine.kind === 'mongod' && !initiated) {
      initiated = await initiateReplicaSet(port);
    }
    await sleep(100);
  }
  killQuietly(pid);
  const tail = fs.readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
  throw new EmbeddedDatabaseError('DATABASE_START_FAILED', `${engine.kind} did not become ready on port ${port}; last log lines:\n${tail}`);
}

/** Stops a server started by `startServer` (SIGTERM, then SIGKILL after 15 s). */
export async function stopServer(state: ServerState): Promise<void> {
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 15_000;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(state.pid)) killQuietly(state.pid);
}
