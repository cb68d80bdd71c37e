import type { Database } from '@tagward/db';

/**
 * Security-relevant changes (keys, origins, members, deletions) are appended to the audit log,
 * so an owner can later answer "who rotated this key".
 */
export async function audit(
  db: Database,
  entry: { actorId: string; action: string; target: string; before?: unknown; after?: unknown; at: Date },
): Promise<void> {
  await db.models.AuditLog.create({
    actorId: entry.actorId,
    action: entry.action,
    target: entry.target,
    before: entry.before ?? null,
    after: entry.after ?? null,
    at: entry.at,
  });
}
