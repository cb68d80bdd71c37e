// Chromium for the bench: headful under Xvfb when the machine has it (a real browser's user
// agent and rendering path, not HeadlessChrome), headless otherwise (the table says which).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { launchChromiumBrowser, type LaunchedBrowser } from '@tagward/chromium';

const XVFB = '/usr/bin/Xvfb';

async function startXvfb(): Promise<{ display: string; child: ChildProcess } | undefined> {
  if (!fs.existsSync(XVFB)) return undefined;
  for (let n = 90 + Math.floor(Math.random() * 100); n < 400; n += 7) {
    if (fs.existsSync(`/tmp/.X11-unix/X${n}`) || fs.existsSync(`/tmp/.X${n}-lock`)) continue;
    const child = spawn(XVFB, [`:${n}`, '-screen', '0', '1366x900x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 700));
    if (child.exitCode === null) return { display: `:${n}`, child };
  }
  return undefined;
}

export interface BenchBrowser extends LaunchedBrowser {
  mode: 'headful (Xvfb)' | 'headless';
}

export async function launchBenchBrowser(): Promise<BenchBrowser> {
  const x = process.env.DISPLAY ? { display: process.env.DISPLAY, child: undefined } : await startXvfb();
  if (!x) return { ...(await launchChromiumBrowser({ headless: true })), mode: 'headless' };
  const launched = await launchChromiumBrowser({ headless: false, env: { DISPLAY: x.display } });
  return {
    browser: launched.browser,
    mode: 'headful (Xvfb)',
    async close() {
      await launched.close();
      x.child?.kill('SIGTERM');
    },
  };
}
