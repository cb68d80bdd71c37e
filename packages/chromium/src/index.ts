/**
 * Debian's Chromium (`apt-get install chromium`) driven by playwright-core: the one way every
 * browser test and benchmark here starts a browser. Browser downloads do not work on our machines,
 * so `npx playwright install` is never used.
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/**
 * Without the background-networking flags Chromium keeps calling out to a network that refuses
 * it; `--no-sandbox` because CI runs as root.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface LaunchedChromium {
  context: BrowserContext;
  /** Closes the browser and deletes its profile folder. */
  close(): Promise<void>;
}

/**
 * A headless persistent context in a fresh profile folder (playwright refuses `--user-data-dir`
 * in args: the folder is its first argument).
 *
 * @example
 * const browser = await launchChromium();
 * const page = await browser.context.newPage();
 * await browser.close();
 */
/** `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`: the one place this package reads the environment. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** The Chromium to launch (given, or `chromiumPath()`), refused with the fix when it is not there. */
function existingChromium(given: string | undefined): string {
  const executablePath = given ?? chromiumPath();
  if (!fs.existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: apt-get install -y chromium (see README prerequisites)`);
  }
  return executablePath;
}

export async function launchChromium(
  options: { viewport?: { width: number; height: number }; executablePath?: string; args?: string[] } = {},
): Promise<LaunchedChromium> {
  const executablePath = existingChromium(options.executablePath);
  const dir = await mkdtemp(join(tmpdir(), 'tagward-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    ...(options.viewport ? { viewport: options.viewport } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * A whole browser for many isolated contexts (each its own cookies, cache and, if given, proxy),
 * as benchmarks that play many visitors at once need. Headful when `headless` is false: give it
 * an X display (Xvfb) in `env.DISPLAY`.
 *
 * @example
 * const { browser, close } = await launchChromiumBrowser({ headless: false, env: { DISPLAY: ':99' } });
 * const context = await browser.newContext({ proxy: { server: 'http://127.0.0.1:8080' } });
 * await close();
 */
export async function launchChromiumBrowser(
  options: { headless?: boolean; env?: Record<string, string>; args?: string[]; executablePath?: string } = {},
): Promise<LaunchedBrowser> {
  const executablePath = existingChromium(options.executablePath);
  const browser = await chromium.launch({
    executablePath,
    headless: options.headless ?? true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    ...(options.env ? { env: { ...process.env, ...options.env } as Record<string, string> } : {}),
  });
  return { browser, close: () => browser.close() };
}
