import { ConfigError, DEMO_ACCOUNTS } from '@tagward/config';
import { verifyPassword } from '@tagward/auth';
import type { Database } from '@tagward/db';

/**
 * In production the database must not hold the demo accounts with their published passwords
 * (someone pointed `npm start` at the production database, or restored a demo dump): the API
 * refuses to start until they are deleted or their passwords changed.
 */
export async function refuseDemoAccounts(db: Database): Promise<void> {
  const problems: string[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const user = await db.models.User.findOne({ email: account.email }, { passwordHash: 1 }).lean();
    if (user && (await verifyPassword(user.passwordHash, account.password))) {
      problems.push(`the account ${account.email} exists with the password the README publishes: delete it or change its password`);
    }
  }
  if (problems.length) throw new ConfigError('api', problems);
}
