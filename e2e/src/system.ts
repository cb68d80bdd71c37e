import { afterAll, beforeAll } from 'vitest';
import type { Page } from 'playwright-core';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode } from '@tagward/auth';
import { connectDatabase, type Database } from '@tagward/db';
import { testDatabaseUri } from '@tagward/db/testing';
import { launchChromium } from './browser.js';
import { startTestStack } from './stack.js';

export interface System {
  stack: Awaited<ReturnType<typeof startTestStack>>;
  /** A connection to the stack's own database, to check what was stored. */
  db: Database;
  browser: Awaited<ReturnType<typeof launchChromium>>;
}

/**
 * The whole system for one test file: started before its tests, torn down (database dropped)
 * after them. The returned object is filled in by `beforeAll`.
 */
export function useSystem(label: string): System {
  const system = {} as System;
  beforeAll(async () => {
    system.stack = await startTestStack(label);
    system.db = await connectDatabase(testDatabaseUri(), system.stack.dbName);
    system.browser = await launchChromium();
  });
  afterAll(async () => {
    await system.browser?.close();
    await system.db?.conn.dropDatabase().catch(() => undefined);
    await system.db?.close();
    await system.stack?.stop();
  });
  return system;
}

/** Polls `probe` until it returns something truthy. */
export async function waitFor<T>(probe: () => Promise<T | undefined | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * An authenticator app in a test: hands out codes the API has not seen yet. The API accepts one
 * 30-second step of drift either way and refuses a step already used, so each code is of the
 * step after the last one used, and never more than one step ahead of now (it waits otherwise).
 */
export class TotpDevice {
  private lastStep = 0;
  constructor(private readonly base32Key: string) {}

  async code(): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(now, this.lastStep + 1);
      if (step <= now + 1) {
        this.lastStep = step;
        return totpCode(decodeBase32IgnorePadding(this.base32Key), new Date(step * 30_000 + 1000));
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

/** Logs in on the login page (already open) with a password. */
export async function logIn(page: Page, account: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: /log in/i }).click();
}

/** Logs in on the login page (already open) with password and then a TOTP code. */
export async function logInWithTwoFactor(page: Page, account: { email: string; password: string; totpKey: string }, device = new TotpDevice(account.totpKey)): Promise<void> {
  await logIn(page, account);
  await page.getByLabel('Code from your app').fill(await device.code());
  await page.getByRole('button', { name: /log in/i }).click();
  await page.waitForURL(/\/sites$/);
}

/** The site overview's "Page views counted" figure, as a number (0 while it shows none). */
export async function pageViewsCounted(page: Page): Promise<number> {
  const figure = page.locator('.kpi', { hasText: 'Page views counted' }).locator('.value');
  return Number((await figure.textContent())?.replace(/[^0-9]/g, '') || 0);
}
