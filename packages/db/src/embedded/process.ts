/**
 * Small process and file helpers shared by the embedded-server launcher: liveness, a
 * cross-process lock, and lease files.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A cross-process mutex: exclusive creation of a file holding our pid; a dead owner's lock is
 * evicted. `timeoutMs` is long by default because the holder may be building the server.
 */
export async function withLock<T>(lockFile: string, fn: () => Promise<T>, timeoutMs = 20 * 60_000): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
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

/** Lease files of processes still alive; the ones of dead processes are removed on the way. */
export function liveLeases(leaseDir: string): string[] {
  if (!fs.existsSync(leaseDir)) return [];
  return fs.readdirSync(leaseDir).filter((name) => {
    if (isAlive(Number(name.split('-')[0]))) return true;
    fs.rmSync(path.join(leaseDir, name), { force: true });
    return false;
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function onPath(command: string): string | undefined {
  const result = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const found = result.stdout.trim();
  return result.status === 0 && found ? found : undefined;
}
