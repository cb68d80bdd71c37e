import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireEmbeddedServer, connectDatabase, type EmbeddedServer } from '../src/index.js';

// These tests start their own server in a private data dir, so they never disturb the shared one.
describe('embedded server', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-embedded-'));
  let first: EmbeddedServer;

  beforeAll(async () => {
    first = await acquireEmbeddedServer({ dataDir, log: () => undefined });
  });
  afterAll(async () => {
    await first?.release();
  });

  test('answers buildInfo with a MongoDB-compatible version', async () => {
    const db = await connectDatabase(first.uri, 'probe');
    const info = await db.conn.db!.admin().command({ buildInfo: 1 });
    expect(String(info.version)).toMatch(/^\d+\.\d+/);
    await db.close();
  });

  test('a second acquirer in the same process reuses the running server', async () => {
    const second = await acquireEmbeddedServer({ dataDir, log: () => undefined });
    expect(second.uri).toBe(first.uri);
    expect(second.pid).toBe(first.pid);
    // first still holds its lease file (same pid), so the server must stay up.
    await second.release();
    const db = await connectDatabase(first.uri, 'probe');
    await expect(db.conn.db!.admin().command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
    await db.close();
  });

  test('another process reuses the same server instead of starting one', async () => {
    const script = `
      import { acquireEmbeddedServer } from ${JSON.stringify(path.resolve('src/index.ts'))};
      const s = await acquireEmbeddedServer({ dataDir: ${JSON.stringify(dataDir)}, log: () => {} });
      console.log(JSON.stringify({ uri: s.uri, pid: s.pid }));
      await s.release();
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(JSON.parse(out.trim())).toEqual({ uri: first.uri, pid: first.pid });
  });

  test('the last release stops the server', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-embedded-stop-'));
    const server = await acquireEmbeddedServer({ dataDir: dir, log: () => undefined });
    const pid = server.pid;
    await server.release();
    expect(() => process.kill(pid, 0)).toThrow();
    expect(fs.existsSync(path.join(dir, 'server.json'))).toBe(false);
  });
});
