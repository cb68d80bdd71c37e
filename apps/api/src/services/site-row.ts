import type { SiteDoc } from '@tagward/db';
import type { Types } from 'mongoose';

/**
 * A site as read from the database. Its own module so that the services sites.ts uses (keys,
 * origins, integrations) can name it without importing sites.ts back.
 */
export type SiteRow = SiteDoc & { _id: Types.ObjectId; createdAt?: Date; updatedAt?: Date };
