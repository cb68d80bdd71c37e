/**
 * The beacon as production runs it: `src/main.ts` in a process of its own, configured only by
 * its environment. For the tests that need more than one process and for the benchmarks, which
 * must not share a CPU thread with their load generator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BEACON_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface ListeningProcess {
  child: ChildProcess;
  /** The URL the process said it listens on. */
  url: string;
  /** SIGTERM, resolved once it has exited (at once if it already has). */
  stop(): Promise<void>;
}

export interface ListenOptions {
  /** Node flags before the script (`--cpu-prof`, say). */
  nodeArgs?: string[];
  /** Distinct processes (by pid) to hear from before resolving: the workers of a cluster. */
  listeners?: number;
  /**
   * How long to wait for them (default 90 s, inside the tests' 120 s hook timeout). A process
   * that has not listened by then is killed, so that no failed start leaves one running.
   */
  timeoutMs?: number;
}

/**
 * Runs `script` with tsx and resolves once it logs (one JSON line on stdout) a message ending in
 * ` listening` with its `url`: `beacon listening` from each beacon worker, `bare listening` from
 * the benchmark's bare server. The beacon's `metrics listening` is not the one to load.
 */
export function startListening(
  script: string,
  env: Record<string, string>,
  options: ListenOptions = {},
): Promise<ListeningProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () => stopProcess(child);
  const { listeners = 1, timeoutMs = 90_000 } = options;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not listen within ${timeoutMs} ms`));
    }, timeoutMs);
    const heard = new Set<number | undefined>();
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(' listening"') || line.includes('"metrics listening')) continue;
        const entry = JSON.parse(line) as { url: string; pid?: number };
        heard.add(entry.pid);
        if (heard.size === listeners) {
          clearTimeout(timer);
          resolve({ child, url: entry.url, stop });
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited early with ${code}`));
    });
  });
}

/**
 * A beacon process on the given database, with its public and metrics listeners on free ports.
 * `env` adds to or overrides that (limits, BEACON_WORKERS…).
 */
export function startBeaconProcess(
  database: { uri: string; dbName: string },
  masterKey: string,
  env: Record<string, string> = {},
  options: ListenOptions = {},
): Promise<ListeningProcess> {
  const base = {
    MONGODB_URI: database.uri,
    TAGWARD_DB_NAME: database.dbName,
    TAGWARD_MASTER_KEY: masterKey,
    BEACON_PORT: '0',
    BEACON_METRICS_PORT: '0',
    // The listening line is logged at info.
    LOG_LEVEL: 'info',
  };
  return startListening(BEACON_MAIN, { ...base, ...env }, options);
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
