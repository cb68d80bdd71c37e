import type { ClientSession } from 'mongoose';
import type { Database } from '@tagward/db';

/**
 * Security-relevant changes (keys, origins, members, rules, deletions) are appended to the audit
 * log, so an owner can later answer "who rotated this key". Pass the transaction's session when
 * the change itself runs in one: the entry then commits, or not, with the change.
 */
export async function audit(
  db: Database,
  entry: { actorId: string; action: string; target: string; before?: unknown; after?: unknown; at: Date },
  session?: ClientSession,
): Promise<void> {
  await db.models.AuditLog.create(
    [
      {
        actorId: entry.actorId,
        action: entry.action,
        target: entry.target,
        before: entry.before ?? null,
        after: entry.after ?? null,
        at: entry.at,
      },
    ],
    { session },
  );
}
