/**
 * Which MongoDB-protocol server the embedded launcher runs, and how it gets onto this machine:
 *
 * 1. a `mongod` on PATH, run as a single-node replica set (transactions need one);
 * 2. else SecantusDB's Rust server `secantusd-rs` (WiredTiger, mongod's storage engine), built
 *    once per machine with cargo into the user cache;
 * 3. else SecantusDB's Python server `secantusd-py`, installed once into a venv in the user cache
 *    (no compiler needed; slower).
 *
 * `TAGWARD_EMBEDDED_DB=rs|py|mongod` (passed in as `preference`) forces one. SecantusDB is
 * GPL-2.0-only: it always runs as a separate development/test process and is never bundled.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedDatabaseError } from './errors.js';
import { onPath, withLock } from './process.js';

export const SECANTUS_RS_VERSION = '0.5.3-beta.196';
export const SECANTUS_PY_VERSION = '0.7.0b3';

export type EngineKind = 'mongod' | 'secantus-rs' | 'secantus-py';
export type EnginePreference = 'auto' | 'mongod' | 'rs' | 'py';

export interface Engine {
  kind: EngineKind;
  binary: string;
  /** Command-line arguments to serve `storageDir` on 127.0.0.1:`port`. */
  args(where: EngineLocation): string[];
}

export interface EngineLocation {
  storageDir: string;
  port: number;
  /** An empty config file of ours, so a stray `~/.secantus/secantusd.toml` changes nothing. */
  configFile: string;
}

export interface EngineOptions {
  preference?: EnginePreference;
  /** Where built servers live (default `$XDG_CACHE_HOME/tagward` or `~/.cache/tagward`). */
  cacheDir?: string;
  log: (line: string) => void;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'tagward');
}

function mongodEngine(binary: string): Engine {
  return {
    kind: 'mongod',
    binary,
    args: ({ storageDir, port }) => ['--dbpath', storageDir, '--port', String(port), '--bind_ip', '127.0.0.1', '--replSet', 'tagward', '--quiet'],
  };
}

function secantusArgs(kind: 'secantus-rs' | 'secantus-py') {
  return ({ storageDir, port, configFile }: EngineLocation) => [
    '--config', configFile,
    '--host', '127.0.0.1',
    '--port', String(port),
    '--storage-path', storageDir,
    '--log-level', 'WARNING',
    // Without it an acknowledged write (even with j:true) can be lost on kill -9.
    '--sync-on-commit',
    '--cache-size', '256M',
    ...(kind === 'secantus-rs' ? ['--log-file-max', '16MB'] : []),
  ];
}

const COMPLETE = '.complete';

function installed(root: string, binary: string): string | undefined {
  const file = path.join(root, 'bin', binary);
  return fs.existsSync(path.join(root, COMPLETE)) && fs.existsSync(file) ? file : undefined;
}

function cargoBinary(): string | undefined {
  const home = path.join(os.homedir(), '.cargo', 'bin', 'cargo');
  return onPath('cargo') ?? (fs.existsSync(home) ? home : undefined);
}

/** Runs a build command, printing a line of progress every 20 s so a long first build is visible. */
async function runBuild(command: string, args: string[], log: (line: string) => void, what: string): Promise<void> {
  const started = Date.now();
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  let compiled = 0;
  let tail: string[] = [];
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (/^\s*Compiling /.test(line)) compiled++;
      if (line.trim()) tail = [...tail, line].slice(-20);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const ticker = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    log(`still ${what}: ${Math.floor(s / 60)} min ${s % 60} s${compiled ? `, ${compiled} crates compiled` : ''}`);
  }, 20_000);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('exit', resolve);
  });
  clearInterval(ticker);
  if (code !== 0) {
    throw new EmbeddedDatabaseError('DATABASE_BUILD_FAILED', `${what} failed (exit ${code}); last output:\n${tail.join('\n')}`);
  }
  log(`${what}: done in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function ensureSecantusRs(cacheDir: string, log: (line: string) => void): Promise<string> {
  const root = path.join(cacheDir, `secantus-rs-${SECANTUS_RS_VERSION}`);
  const ready = installed(root, 'secantusd-rs');
  if (ready) return ready;
  const cargo = cargoBinary();
  if (!cargo) throw new EmbeddedDatabaseError('NO_DATABASE_AVAILABLE', 'TAGWARD_EMBEDDED_DB=rs needs cargo (Rust), which is not installed.');
  // One build per machine even when several checkouts or test runs start at once.
  return withLock(`${root}.lock`, async () => {
    const again = installed(root, 'secantusd-rs');
    if (again) return again;
    log(`building the embedded database (SecantusDB ${SECANTUS_RS_VERSION}, Rust) once for this machine, about 6 minutes on 2 cores…`);
    fs.rmSync(root, { recursive: true, force: true });
    await runBuild(
      cargo,
      // The crate asks for a newer Rust than it needs; 1.95 builds it. The version is a
      // pre-release, so it is pinned exactly and built from its lockfile.
      ['install', 'secantus-mdb', '--version', SECANTUS_RS_VERSION, '--ignore-rust-version', '--locked', '--root', root],
      log,
      'building SecantusDB (secantusd-rs)',
    );
    fs.writeFileSync(path.join(root, COMPLETE), `${SECANTUS_RS_VERSION}\n`);
    return path.join(root, 'bin', 'secantusd-rs');
  });
}

async function ensureSecantusPy(cacheDir: string, log: (line: string) => void): Promise<string> {
  const root = path.join(cacheDir, `secantus-py-${SECANTUS_PY_VERSION}`);
  const ready = installed(root, 'secantusd-py');
  if (ready) return ready;
  const python = onPath('python3');
  if (!python) throw new EmbeddedDatabaseError('NO_DATABASE_AVAILABLE', 'TAGWARD_EMBEDDED_DB=py needs python3, which is not installed.');
  return withLock(`${root}.lock`, async () => {
    const again = installed(root, 'secantusd-py');
    if (again) return again;
    log(`installing the embedded database (SecantusDB ${SECANTUS_PY_VERSION}, Python) once for this machine, about 30 s…`);
    // A venv is not relocatable (its scripts name their interpreter by absolute path), so it is
    // made in place and marked complete only after pip succeeds.
    fs.rmSync(root, { recursive: true, force: true });
    await runBuild(python, ['-m', 'venv', root], log, 'creating the SecantusDB venv');
    await runBuild(path.join(root, 'bin', 'pip'), ['install', '--quiet', `SecantusDB==${SECANTUS_PY_VERSION}`], log, 'installing SecantusDB (secantusd-py)');
    fs.writeFileSync(path.join(root, COMPLETE), `${SECANTUS_PY_VERSION}\n`);
    return path.join(root, 'bin', 'secantusd-py');
  });
}

function missingToolchains(): string[] {
  return ['cmake', 'cc'].filter((tool) => !onPath(tool));
}

/**
 * Finds the server to run, building or installing SecantusDB the first time. Throws
 * `NO_DATABASE_AVAILABLE` naming what to install when nothing can run.
 */
export async function findEngine(options: EngineOptions): Promise<Engine> {
  const preference = options.preference ?? 'auto';
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const { log } = options;
  const mongod = onPath('mongod');
  if (preference === 'mongod' || (preference === 'auto' && mongod)) {
    if (!mongod) throw new EmbeddedDatabaseError('NO_DATABASE_AVAILABLE', 'TAGWARD_EMBEDDED_DB=mongod, but there is no `mongod` on PATH.');
    return mongodEngine(mongod);
  }
  if (preference === 'py') return { kind: 'secantus-py', binary: await ensureSecantusPy(cacheDir, log), args: secantusArgs('secantus-py') };
  const prebuilt = installed(path.join(cacheDir, `secantus-rs-${SECANTUS_RS_VERSION}`), 'secantusd-rs');
  const canBuildRs = Boolean(cargoBinary()) && missingToolchains().length === 0;
  if (preference === 'rs' || prebuilt || canBuildRs) {
    if (preference === 'rs' && !prebuilt && missingToolchains().length > 0) {
      throw new EmbeddedDatabaseError('NO_DATABASE_AVAILABLE', `Building secantusd-rs needs ${missingToolchains().join(' and ')} (Debian: apt-get install -y cmake build-essential).`);
    }
    return { kind: 'secantus-rs', binary: await ensureSecantusRs(cacheDir, log), args: secantusArgs('secantus-rs') };
  }
  if (onPath('python3')) {
    log(
      cargoBinary()
        ? `cmake or a C compiler is missing (${missingToolchains().join(', ')}), so the Rust server cannot be built; using SecantusDB's slower Python server`
        : 'no cargo on this machine: using SecantusDB\'s Python server (install Rust for the faster one)',
    );
    return { kind: 'secantus-py', binary: await ensureSecantusPy(cacheDir, log), args: secantusArgs('secantus-py') };
  }
  throw new EmbeddedDatabaseError(
    'NO_DATABASE_AVAILABLE',
    'No database: MONGODB_URI is not set, there is no `mongod` on PATH, and neither Rust (cargo, cmake and a C ' +
      'compiler, to build SecantusDB) nor python3 (to install its Python server) is available. Install one of: ' +
      'Rust from https://rustup.rs plus `apt-get install -y cmake build-essential`; python3 with venv; MongoDB ' +
      '(`mongod` on PATH); or point MONGODB_URI at a running MongoDB replica set.',
  );
}
