// A Chromium for the main-thread benchmarks that runs pages as a visitor's browser does, with no
// debugger instrumenting them. Playwright attaches DevTools to every page it opens (Runtime,
// Network and Page agents; the network agent records an initiator stack for every request), and
// that costs the page time no visitor's browser spends: the script's own steps, timed inside the
// page, summed to 5.6 ms under Playwright and 5.0 ms here, each load in a new tab.
//
// The benchmark holds one DevTools connection to the *browser* over --remote-debugging-pipe: it
// records the browser-wide performance trace (Tracing), opens and closes tabs
// (Target.createTarget), and navigates a tab through a session attached for Page.navigate
// alone, with no domain enabled.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CHROMIUM_ARGS, chromiumPath } from '@tagward/chromium';

type Params = Record<string, unknown>;

export interface VisitorBrowser {
  /** One DevTools command, to the browser target or to an attached session; resolves with its result. */
  send<T = Params>(method: string, params?: Params, sessionId?: string): Promise<T>;
  /** Every event of `method` the browser target sends, until the returned function is called. */
  on(method: string, listener: (params: Params) => void): () => void;
  close(): Promise<void>;
}

export async function launchVisitorBrowser(): Promise<VisitorBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'tagward-visitor-'));
  const child: ChildProcess = spawn(
    chromiumPath(),
    [
      ...CHROMIUM_ARGS,
      '--headless',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      'about:blank',
    ],
    // fd 3: commands to Chromium, fd 4: its answers and events (NUL-terminated JSON).
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] },
  );
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));

  let nextId = 1;
  const pending = new Map<number, { resolve: (r: Params) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(p: Params) => void>>();
  let buffered = '';
  output.on('data', (chunk: Buffer) => {
    const parts = (buffered + chunk.toString()).split('\0');
    buffered = parts.pop()!;
    for (const part of parts) {
      const message = JSON.parse(part) as {
        id?: number;
        method?: string;
        params?: Params;
        result?: Params;
        error?: { message: string };
      };
      if (message.id !== undefined) {
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.error) call?.reject(new Error(message.error.message));
        else call?.resolve(message.result ?? {});
      } else if (message.method) {
        for (const f of listeners.get(message.method) ?? []) f(message.params ?? {});
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code) => {
    for (const call of pending.values())
      call.reject(new Error(`Chromium exited (${code}) before answering: ${stderr}`));
    pending.clear();
  });

  const browser: VisitorBrowser = {
    send: <T>(method: string, params: Params = {}, sessionId?: string) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (r: Params) => void, reject });
        input.write(JSON.stringify({ id, method, params, sessionId }) + '\0');
      }),
    on(method, listener) {
      const set = listeners.get(method) ?? new Set();
      listeners.set(method, set.add(listener));
      return () => set.delete(listener);
    },
    async close() {
      if (child.exitCode === null) {
        await browser.send('Browser.close').catch(() => undefined);
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        child.kill('SIGKILL');
      }
      await rm(profile, { recursive: true, force: true });
    },
  };
  // The first answer says the pipe works (and fails fast with Chromium's own words if not).
  await browser.send('Browser.getVersion');
  return browser;
}
