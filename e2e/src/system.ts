import { afterAll, beforeAll } from 'vitest';
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
