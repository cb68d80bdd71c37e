/**
 * Reading rules versions. The contract with the beacon (apps/beacon rules-cache.ts):
 *
 * - per scope (`global` or a site id) at most one document is `published`: the rules in force;
 * - at most one `draft` per scope is what admins edit; the global draft with `shadow: true` is
 *   also scored beside the live rules on every incoming beacon (shadow mode);
 * - every document has a version number unique in its scope, and a published version always
 *   gets a number above every other of its scope.
 *
 * Unique partial indexes hold the first two (packages/db models/rules-version.ts); publishing
 * archives the old version and publishes the new one in one transaction (lifecycle.ts).
 */
import { GLOBAL_RULES_SCOPE, readPublishedRules, readRulesInForce, type Database } from '@tagward/db';
import { DEFAULT_RULES, applyOverride, rulesOverrideSchema, rulesSchema, type Rules, type RulesOverride } from '@tagward/trust';
import { Types, type ClientSession } from 'mongoose';
import { badRequest, notFound } from '../../errors.js';
import type { RulesScope, RulesStatus } from '../dto.js';

export const GLOBAL_SCOPE = GLOBAL_RULES_SCOPE;

export type RulesRow = {
  _id: Types.ObjectId;
  scope: string;
  version: number;
  status: RulesStatus;
  rules: unknown;
  note?: string | null;
  createdBy?: Types.ObjectId | null;
  publishedAt?: Date | null;
  shadow?: boolean | null;
  createdAt?: Date;
  updatedAt?: Date;
};

export interface Actor {
  id: string;
}

export function isGlobalScope(scope: RulesScope): boolean {
  return scope === GLOBAL_SCOPE;
}

export async function emailsOf(db: Database, ids: Iterable<Types.ObjectId | string | null | undefined>): Promise<Map<string, string>> {
  const unique = [...new Set([...ids].filter((id): id is Types.ObjectId | string => Boolean(id)).map(String))];
  if (unique.length === 0) return new Map();
  const users = await db.models.User.find({ _id: { $in: unique.map((id) => new Types.ObjectId(id)) } }, { email: 1 }).lean();
  return new Map(users.map((u) => [String(u._id), u.email]));
}

/** The published document of a scope. */
export async function findPublished(db: Database, scope: RulesScope, session?: ClientSession): Promise<RulesRow | null> {
  return (await db.models.RulesVersion.findOne({ scope, status: 'published' }, null, { session }).lean()) as RulesRow | null;
}

export async function findDraft(db: Database, scope: RulesScope, session?: ClientSession): Promise<RulesRow | null> {
  return (await db.models.RulesVersion.findOne({ scope, status: 'draft' }, null, { session }).lean()) as RulesRow | null;
}

export async function maxVersion(db: Database, scope: RulesScope, session?: ClientSession): Promise<number> {
  const top = await db.models.RulesVersion.findOne({ scope }, { version: 1 }, { session }).sort({ version: -1 }).lean();
  return top?.version ?? 0;
}

/** Stored rules are re-validated on read: a document from an older engine gets today's defaults. */
export function storedGlobal(row: RulesRow | null): Rules {
  if (!row) return DEFAULT_RULES;
  const parsed = rulesSchema.safeParse(row.rules);
  return parsed.success ? { ...parsed.data, version: row.version } : DEFAULT_RULES;
}

export function storedOverride(row: RulesRow | null): RulesOverride | null {
  if (!row) return null;
  const parsed = rulesOverrideSchema.safeParse(row.rules);
  return parsed.success ? parsed.data : null;
}

/** The global rules in force, read as the beacon reads them (`@tagward/db` rules-store). */
export async function liveGlobalRules(db: Database, session?: ClientSession): Promise<{ rules: Rules; version: number }> {
  const row = await readPublishedRules(db, GLOBAL_SCOPE, session);
  if (!row) return { rules: DEFAULT_RULES, version: 0 };
  const parsed = rulesSchema.safeParse(row.rules);
  return parsed.success ? { rules: { ...parsed.data, version: row.version }, version: row.version } : { rules: DEFAULT_RULES, version: 0 };
}

export async function siteOf(db: Database, scope: RulesScope): Promise<{ _id: Types.ObjectId; name: string } | null> {
  if (isGlobalScope(scope)) return null;
  const site = Types.ObjectId.isValid(scope) ? await db.models.Site.findById(scope, { name: 1 }).lean() : null;
  if (!site) throw notFound('Site not found.');
  return { _id: site._id, name: site.name };
}

/** A publish of global rules must not break a site override the beacon is merging into them. */
export async function assertOverridesFit(db: Database, global: Rules, session?: ClientSession): Promise<void> {
  const rows = (await db.models.RulesVersion.find({ scope: { $ne: GLOBAL_SCOPE }, status: 'published' }, { scope: 1, version: 1, rules: 1 }, { session }).lean()) as RulesRow[];
  const broken: string[] = [];
  for (const row of rows) {
    const override = storedOverride(row);
    if (!override) continue;
    try {
      applyOverride(global, override);
    } catch {
      broken.push(row.scope);
    }
  }
  if (broken.length) {
    const sites = await db.models.Site.find({ _id: { $in: broken.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean();
    const names = sites.map((s) => s.name).join(', ') || broken.join(', ');
    throw badRequest(`These rules would break the overrides of: ${names}. Change those overrides first.`);
  }
}

/** Published overrides in force, per site (for re-scoring labelled events with older global versions). */
export async function liveOverrides(db: Database): Promise<Map<string, RulesOverride>> {
  const { published } = await readRulesInForce(db);
  const map = new Map<string, RulesOverride>();
  for (const [scope, versions] of published) {
    if (scope === GLOBAL_SCOPE) continue;
    const valid = versions.map((v) => rulesOverrideSchema.safeParse(v.rules)).find((parsed) => parsed.success);
    if (valid?.success) map.set(scope, valid.data);
  }
  return map;
}

/** Global versions with their rules, newest first, for the precision/recall table. */
export async function globalVersionsWithRules(db: Database, limit: number): Promise<Array<{ version: number; status: RulesStatus; note: string; rules: Rules }>> {
  const rows = (await db.models.RulesVersion.find({ scope: GLOBAL_SCOPE }).sort({ version: -1 }).limit(limit).lean()) as RulesRow[];
  const out: Array<{ version: number; status: RulesStatus; note: string; rules: Rules }> = [];
  for (const row of rows) {
    const parsed = rulesSchema.safeParse(row.rules);
    if (parsed.success) out.push({ version: row.version, status: row.status, note: row.note ?? '', rules: parsed.data });
  }
  return out;
}
