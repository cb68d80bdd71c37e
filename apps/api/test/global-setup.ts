import type { TestProject } from 'vitest/node';
import { setupTestServer } from '@tagward/db/testing';
import { setupMailCatcher } from '@tagward/mail-catcher/testing';

/** One database server and one mail catcher for the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stopDatabase = await setupTestServer(project);
  const stopMail = await setupMailCatcher(project);
  return async () => {
    await stopMail();
    await stopDatabase();
  };
}
