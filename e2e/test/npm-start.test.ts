/**
 * `npm start` exactly as the README gives it: the ports it is told to use are the ones it
 * listens on, and a busy port makes it fail cleanly — one line naming the port and the variable
 * that moves it, and nothing left running.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { findRepoRoot } from '@tagward/db';
import { testDatabaseUri } from '@tagward/db/testing';

const ROOT = findRepoRoot();

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve) => {
      const server = net.createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

function npmStart(env: Record<string, string>) {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    env: {
      ...process.env,
      MONGODB_URI: testDatabaseUri(),
      TAGWARD_DB_NAME: `tw_e2e_start_${randomBytes(3).toString('hex')}`,
      TAGWARD_DEMO_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'tagward-start-')),
      TAGWARD_DEMO_TRAFFIC: 'off',
      ...env,
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    async waitFor(text: string, timeoutMs = 180_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; output:\n${output.slice(-3000)}`);
        if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}) before "${text}":\n${output.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    /** Ctrl-C, as a user stops it: to the whole process group. */
    async interrupt(): Promise<number | null> {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
  };
}

test('npm start listens on API_PORT, BEACON_PORT, DEMO_SITE_PORT and BEACON_METRICS_PORT, and Ctrl-C stops all of them', async () => {
  const [api, beacon, site, metrics] = (await freePorts(4)) as [number, number, number, number];
  const run = npmStart({ API_PORT: String(api), BEACON_PORT: String(beacon), DEMO_SITE_PORT: String(site), BEACON_METRICS_PORT: String(metrics) });
  try {
    await run.waitFor('Ctrl-C stops everything');
    const banner = run.output();
    expect(banner).toContain(`http://localhost:${api}`);
    expect(banner).toContain(`http://localhost:${beacon}`);
    expect(banner).toContain(`http://localhost:${site}`);
    expect(banner).toContain(`http://127.0.0.1:${metrics}/metrics`);
    expect((await fetch(`http://127.0.0.1:${beacon}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${api}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${site}/`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${metrics}/metrics`)).status).toBe(200);
  } finally {
    await run.interrupt();
  }
  for (const port of [api, beacon, site, metrics]) expect(await portOpen(port)).toBe(false);
});

test('a busy API_PORT fails with one line naming the port and the variable, and stops the beacon it had started', async () => {
  const [api, beacon, site, metrics] = (await freePorts(4)) as [number, number, number, number];
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(api, '127.0.0.1', () => resolve()));
  try {
    const run = npmStart({ API_PORT: String(api), BEACON_PORT: String(beacon), DEMO_SITE_PORT: String(site), BEACON_METRICS_PORT: String(metrics) });
    const code = await Promise.race([run.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 180_000))]);
    if (code === 'timeout') await run.interrupt();
    expect(code).not.toBe(0);
    expect(run.output()).toMatch(new RegExp(`Tagward could not start: port ${api} \\(API and dashboard\\) is already in use: .*set API_PORT to another port`));
    for (const port of [beacon, site, metrics]) expect(await portOpen(port)).toBe(false);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

/** Lease files of live processes on the checkout's embedded database. */
function liveLeases(): string[] {
  const dir = path.join(ROOT, '.data', 'db', 'leases');
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((name) => {
    try {
      process.kill(Number(name.split('-')[0]), 0);
      return true;
    } catch {
      return false;
    }
  });
}

test('a busy BEACON_PORT fails with the port and the variable, and gives back its lease on the embedded database', async () => {
  const [api, beacon, site, metrics] = (await freePorts(4)) as [number, number, number, number];
  const squatter = net.createServer();
  await new Promise<void>((resolve) => squatter.listen(beacon, '127.0.0.1', () => resolve()));
  const before = liveLeases().length;
  try {
    // No MONGODB_URI: it takes a lease on the embedded server, as `npm start` does for a user.
    const run = npmStart({ MONGODB_URI: '', API_PORT: String(api), BEACON_PORT: String(beacon), DEMO_SITE_PORT: String(site), BEACON_METRICS_PORT: String(metrics) });
    const code = await Promise.race([run.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 180_000))]);
    if (code === 'timeout') await run.interrupt();
    expect(code).not.toBe(0);
    expect(run.output()).toMatch(new RegExp(`Tagward could not start: beacon: port ${beacon} is already in use: .*set BEACON_PORT to another port`));
    expect(liveLeases().length).toBe(before);
    for (const port of [api, site, metrics]) expect(await portOpen(port)).toBe(false);
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});
