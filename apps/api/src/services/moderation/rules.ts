import type { Database } from '@tagward/db';
import {
  ALL_REASON_CODES,
  DEFAULT_RULES,
  DEFAULT_WEIGHTS,
  REASON_CODES,
  applyOverride,
  rulesOverrideSchema,
  rulesSchema,
  type Rules,
  type RulesOverride,
  type WeightedReasonCode,
} from '@tagward/trust';
import { TRPCError } from '@trpc/server';
import { Types } from 'mongoose';
import { ZodRealError, type ZodError, type core } from 'zod';
import { audit } from '../audit.js';
import { badRequest, conflict, isDuplicateKeyError, notFound } from '../errors.js';
import type {
  ModerationSiteDto,
  ReasonCatalogueEntryDto,
  RulesScope,
  RulesStateDto,
  RulesStatus,
  RulesVersionDto,
} from './dto.js';

/**
 * Rules versions, following the contract with the beacon (apps/beacon rules-cache.ts):
 *
 * - per scope (`global` or a site id) one document is `published`: the rules in force;
 * - at most one `draft` per scope is what admins edit; the global draft with `shadow: true` is
 *   also scored beside the live rules on every incoming beacon (shadow mode);
 * - every document has a version number unique in its scope (a unique index guards it), and a
 *   published version always gets a number above every other of its scope, so "the highest
 *   published version" is unambiguous.
 *
 * FerretDB has no transactions, so publishing is ordered for concurrent readers: the new version
 * becomes `published` first, then older published ones are archived. A reader between the two
 * writes sees two published versions (and must take the highest) but never none.
 */

export const GLOBAL_SCOPE = 'global';

type RulesRow = {
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

/**
 * Rewrites a zod error so that each issue's path is one dotted segment (`weights.origin_missing`).
 * The API's error formatter flattens zod errors to their first path segment; with the whole path
 * in that one segment, the editor can still put each message beside its own field.
 */
export function rulesValidationError(error: { issues: readonly core.$ZodIssue[] }, prefix: ReadonlyArray<string | number> = []) {
  const issues = error.issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join('.');
    return { ...issue, path: path ? [path] : [] } as core.$ZodIssue;
  });
  // ZodRealError, not ZodError: only the former is an Error, which TRPCError keeps as its cause.
  return badRequestWithZod(new ZodRealError(issues), 'The rules are not valid: see the marked fields.');
}

function badRequestWithZod(cause: ZodError, message: string): TRPCError {
  // TRPCError keeps an Error cause as given; the API's error formatter flattens it for the client.
  return new TRPCError({ code: 'BAD_REQUEST', message, cause });
}

/** Parses global rules; the document version is written into the rules themselves. */
export function parseGlobalRules(input: unknown, version?: number): Rules {
  const parsed = rulesSchema.safeParse(input);
  if (!parsed.success) throw rulesValidationError(parsed.error);
  return version === undefined ? parsed.data : { ...parsed.data, version };
}

export function parseOverride(input: unknown): RulesOverride {
  const parsed = rulesOverrideSchema.safeParse(input);
  if (!parsed.success) throw rulesValidationError(parsed.error);
  return parsed.data;
}

/** Merges, turning a broken merge (say thresholds above base) into field errors. */
export function mergeOrExplain(global: Rules, override: RulesOverride): Rules {
  try {
    return applyOverride(global, override);
  } catch (error) {
    if (error instanceof Error && 'issues' in error) throw rulesValidationError(error as unknown as ZodError);
    throw error;
  }
}

function toVersionDto(row: RulesRow, emails: Map<string, string>): RulesVersionDto {
  const by = row.createdBy ? row.createdBy.toHexString() : null;
  return {
    scope: row.scope,
    version: row.version,
    status: row.status,
    note: row.note ?? '',
    createdBy: by ? (emails.get(by) ?? by) : null,
    createdAt: (row.createdAt ?? new Date(0)).toISOString(),
    updatedAt: (row.updatedAt ?? row.createdAt ?? new Date(0)).toISOString(),
    publishedAt: row.publishedAt ? row.publishedAt.toISOString() : null,
    shadow: Boolean(row.shadow),
  };
}

export async function emailsOf(db: Database, ids: Iterable<Types.ObjectId | string | null | undefined>): Promise<Map<string, string>> {
  const unique = [...new Set([...ids].filter((id): id is Types.ObjectId | string => Boolean(id)).map(String))];
  if (unique.length === 0) return new Map();
  const users = await db.models.User.find({ _id: { $in: unique.map((id) => new Types.ObjectId(id)) } }, { email: 1 }).lean();
  return new Map(users.map((u) => [String(u._id), u.email]));
}

/** The published document of a scope: the highest version if a publish is half-way through. */
export async function findPublished(db: Database, scope: RulesScope): Promise<RulesRow | null> {
  return (await db.models.RulesVersion.findOne({ scope, status: 'published' }).sort({ version: -1 }).lean()) as RulesRow | null;
}

export async function findDraft(db: Database, scope: RulesScope): Promise<RulesRow | null> {
  return (await db.models.RulesVersion.findOne({ scope, status: 'draft' }).sort({ version: -1 }).lean()) as RulesRow | null;
}

async function maxVersion(db: Database, scope: RulesScope): Promise<number> {
  const top = await db.models.RulesVersion.findOne({ scope }, { version: 1 }).sort({ version: -1 }).lean();
  return top?.version ?? 0;
}

/** Stored rules are re-validated on read: a document from an older engine gets today's defaults. */
function storedGlobal(row: RulesRow | null): Rules {
  if (!row) return DEFAULT_RULES;
  const parsed = rulesSchema.safeParse(row.rules);
  return parsed.success ? { ...parsed.data, version: row.version } : DEFAULT_RULES;
}

function storedOverride(row: RulesRow | null): RulesOverride | null {
  if (!row) return null;
  const parsed = rulesOverrideSchema.safeParse(row.rules);
  return parsed.success ? parsed.data : null;
}

export async function liveGlobalRules(db: Database): Promise<{ rules: Rules; version: number }> {
  const row = await findPublished(db, GLOBAL_SCOPE);
  return { rules: storedGlobal(row), version: row?.version ?? 0 };
}

async function siteOf(db: Database, scope: RulesScope): Promise<{ _id: Types.ObjectId; name: string } | null> {
  if (isGlobalScope(scope)) return null;
  const site = await db.models.Site.findById(scope, { name: 1 }).lean();
  if (!site) throw notFound('Site not found.');
  return { _id: site._id, name: site.name };
}

export async function getRulesState(db: Database, scope: RulesScope): Promise<RulesStateDto> {
  const site = await siteOf(db, scope);
  const [published, draft] = await Promise.all([findPublished(db, scope), findDraft(db, scope)]);
  const emails = await emailsOf(db, [published?.createdBy, draft?.createdBy]);
  const base = {
    scope,
    siteName: site?.name ?? null,
    liveVersion: published?.version ?? 0,
    published: published ? toVersionDto(published, emails) : null,
    draft: draft ? toVersionDto(draft, emails) : null,
  };
  if (isGlobalScope(scope)) {
    return {
      ...base,
      kind: 'global',
      liveRules: storedGlobal(published),
      draftRules: draft ? storedGlobal(draft) : null,
      defaults: DEFAULT_RULES,
    };
  }
  return {
    ...base,
    kind: 'override',
    liveRules: storedOverride(published),
    draftRules: storedOverride(draft),
    globalRules: (await liveGlobalRules(db)).rules,
  };
}

export async function listVersions(db: Database, scope: RulesScope, limit = 100): Promise<RulesVersionDto[]> {
  await siteOf(db, scope);
  const rows = (await db.models.RulesVersion.find({ scope }, { rules: 0 }).sort({ version: -1 }).limit(limit).lean()) as unknown as RulesRow[];
  const emails = await emailsOf(db, rows.map((r) => r.createdBy));
  return rows.map((row) => toVersionDto(row, emails));
}

/** Validates rules for a scope the way the beacon will use them. */
async function validateForScope(db: Database, scope: RulesScope, input: unknown): Promise<Rules | RulesOverride> {
  if (isGlobalScope(scope)) return parseGlobalRules(input);
  const override = parseOverride(input);
  // The beacon merges the override into the global rules in force: refuse what cannot merge.
  mergeOrExplain((await liveGlobalRules(db)).rules, override);
  return override;
}

/** Creates the scope's draft or replaces its rules. */
export async function saveDraft(
  db: Database,
  actor: Actor,
  scope: RulesScope,
  input: unknown,
  now: Date,
): Promise<RulesStateDto> {
  await siteOf(db, scope);
  const validated = await validateForScope(db, scope, input);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const existing = await findDraft(db, scope);
    if (existing) {
      const rules = isGlobalScope(scope) ? { ...(validated as Rules), version: existing.version } : validated;
      const updated = await db.models.RulesVersion.updateOne({ _id: existing._id, status: 'draft' }, { $set: { rules } });
      if (updated.matchedCount === 0) continue; // published or discarded meanwhile: start over
      await audit(db, { actorId: actor.id, action: 'rules.draft.save', target: scope, before: { version: existing.version, rules: existing.rules }, after: { version: existing.version, rules }, at: now });
      return getRulesState(db, scope);
    }
    const version = (await maxVersion(db, scope)) + 1;
    const rules = isGlobalScope(scope) ? { ...(validated as Rules), version } : validated;
    try {
      await db.models.RulesVersion.create({ scope, version, status: 'draft', rules, note: '', createdBy: new Types.ObjectId(actor.id), shadow: false });
    } catch (error) {
      if (isDuplicateKeyError(error)) continue; // another admin created it at the same moment
      throw error;
    }
    await audit(db, { actorId: actor.id, action: 'rules.draft.save', target: scope, before: null, after: { version, rules }, at: now });
    return getRulesState(db, scope);
  }
  throw conflict('The draft changed while saving. Reload and try again.');
}

export async function discardDraft(db: Database, actor: Actor, scope: RulesScope, now: Date): Promise<RulesStateDto> {
  await siteOf(db, scope);
  const draft = await findDraft(db, scope);
  // Nothing to discard is not an error: the outcome the admin asked for already holds.
  if (!draft) return getRulesState(db, scope);
  const deleted = await db.models.RulesVersion.deleteOne({ _id: draft._id, status: 'draft' });
  if (deleted.deletedCount === 0) return getRulesState(db, scope);
  await audit(db, { actorId: actor.id, action: 'rules.draft.discard', target: scope, before: { version: draft.version, rules: draft.rules, shadow: Boolean(draft.shadow) }, after: null, at: now });
  return getRulesState(db, scope);
}

/** A publish of global rules must not break a site override the beacon is merging into them. */
async function assertOverridesFit(db: Database, global: Rules): Promise<void> {
  const rows = (await db.models.RulesVersion.find({ scope: { $ne: GLOBAL_SCOPE }, status: 'published' }, { scope: 1, version: 1, rules: 1 }).lean()) as RulesRow[];
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

/** Archives every published version of the scope below `version` (the second write of a publish). */
async function archiveOlder(db: Database, scope: RulesScope, version: number): Promise<void> {
  await db.models.RulesVersion.updateMany({ scope, status: 'published', version: { $lt: version } }, { $set: { status: 'archived' } });
}

function requireNote(note: string): string {
  const trimmed = note.trim();
  if (trimmed.length < 3) throw badRequest('Say what changed and why (at least 3 characters).');
  return trimmed;
}

export async function publishDraft(db: Database, actor: Actor, scope: RulesScope, note: string, now: Date): Promise<RulesStateDto> {
  const text = requireNote(note);
  await siteOf(db, scope);
  const draft = await findDraft(db, scope);
  if (!draft) throw badRequest('There is no draft to publish. Edit the rules first.');
  const rules = await validateForScope(db, scope, draft.rules);
  if (isGlobalScope(scope)) await assertOverridesFit(db, rules as Rules);
  const previous = await findPublished(db, scope);

  // The draft keeps its number unless a rollback published a higher one since it was created.
  const top = await maxVersion(db, scope);
  const version = draft.version === top ? draft.version : top + 1;
  const stored = isGlobalScope(scope) ? { ...(rules as Rules), version } : rules;
  const updated = await db.models.RulesVersion.findOneAndUpdate(
    { _id: draft._id, status: 'draft', version: draft.version },
    { $set: { status: 'published', version, rules: stored, note: text, publishedAt: now, shadow: false, createdBy: new Types.ObjectId(actor.id) } },
    { returnDocument: 'after' },
  ).lean();
  if (!updated) throw conflict('The draft was published or discarded meanwhile. Reload.');
  await archiveOlder(db, scope, version);
  await audit(db, {
    actorId: actor.id,
    action: 'rules.publish',
    target: scope,
    before: previous ? { version: previous.version, rules: previous.rules } : { version: 0, rules: null },
    after: { version, rules: stored, note: text, shadowEnded: Boolean(draft.shadow) },
    at: now,
  });
  return getRulesState(db, scope);
}

/**
 * Rollback publishes a copy of an older version as a new version, so history stays linear and
 * the beacon's "highest published version" rule keeps working. Version 0 is the built-in
 * defaults (global) or "no override" (a site).
 */
export async function rollback(db: Database, actor: Actor, scope: RulesScope, toVersion: number, note: string, now: Date): Promise<RulesStateDto> {
  const text = requireNote(note);
  await siteOf(db, scope);
  const previous = await findPublished(db, scope);
  if ((previous?.version ?? 0) === toVersion) throw badRequest(`Version ${toVersion} is already in force.`);
  let source: unknown;
  if (toVersion === 0) {
    source = isGlobalScope(scope) ? DEFAULT_RULES : {};
  } else {
    const row = await db.models.RulesVersion.findOne({ scope, version: toVersion, status: { $in: ['published', 'archived'] } }).lean();
    if (!row) throw notFound(`Version ${toVersion} was never published in this scope.`);
    source = row.rules;
  }
  const rules = await validateForScope(db, scope, source);
  if (isGlobalScope(scope)) await assertOverridesFit(db, rules as Rules);

  for (let attempt = 0; attempt < 3; attempt += 1) {
    const version = (await maxVersion(db, scope)) + 1;
    const stored = isGlobalScope(scope) ? { ...(rules as Rules), version } : rules;
    try {
      await db.models.RulesVersion.create({
        scope,
        version,
        status: 'published',
        rules: stored,
        note: `Rollback to v${toVersion}: ${text}`,
        createdBy: new Types.ObjectId(actor.id),
        publishedAt: now,
        shadow: false,
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) continue;
      throw error;
    }
    await archiveOlder(db, scope, version);
    await audit(db, {
      actorId: actor.id,
      action: 'rules.rollback',
      target: scope,
      before: previous ? { version: previous.version, rules: previous.rules } : { version: 0, rules: null },
      after: { version, from: toVersion, rules: stored, note: text },
      at: now,
    });
    return getRulesState(db, scope);
  }
  throw conflict('Another version was published at the same moment. Reload and try again.');
}

/** Shadow mode runs the global draft beside the live rules on incoming beacons. */
export async function setShadow(db: Database, actor: Actor, enabled: boolean, now: Date): Promise<RulesStateDto> {
  const draft = await findDraft(db, GLOBAL_SCOPE);
  if (!draft) {
    if (enabled) throw badRequest('Shadow mode runs the global draft: create a draft first.');
    return getRulesState(db, GLOBAL_SCOPE);
  }
  if (Boolean(draft.shadow) === enabled) return getRulesState(db, GLOBAL_SCOPE);
  await db.models.RulesVersion.updateOne({ _id: draft._id, status: 'draft' }, { $set: { shadow: enabled } });
  await audit(db, {
    actorId: actor.id,
    action: enabled ? 'rules.shadow.on' : 'rules.shadow.off',
    target: GLOBAL_SCOPE,
    before: { version: draft.version, shadow: Boolean(draft.shadow) },
    after: { version: draft.version, shadow: enabled },
    at: now,
  });
  return getRulesState(db, GLOBAL_SCOPE);
}

export async function listModerationSites(db: Database, query: string | undefined, limit = 200): Promise<ModerationSiteDto[]> {
  const filter: Record<string, unknown> = {};
  if (query) filter.name = { $regex: query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
  const sites = await db.models.Site.find(filter, { name: 1, mode: 1 }).sort({ name: 1 }).limit(limit).lean();
  const rows = (await db.models.RulesVersion.find({ scope: { $ne: GLOBAL_SCOPE }, status: { $in: ['published', 'draft'] } }, { scope: 1, version: 1, status: 1 }).lean()) as RulesRow[];
  const published = new Map<string, number>();
  const drafts = new Set<string>();
  for (const row of rows) {
    if (row.status === 'draft') drafts.add(row.scope);
    else published.set(row.scope, Math.max(published.get(row.scope) ?? 0, row.version));
  }
  return sites.map((s) => {
    const id = String(s._id);
    return { id, name: s.name, mode: s.mode === 'live' ? 'live' : 'test', overrideVersion: published.get(id) ?? null, hasDraft: drafts.has(id) };
  });
}

export function reasonCatalogue(): ReasonCatalogueEntryDto[] {
  const weights = DEFAULT_WEIGHTS as Readonly<Record<string, number>>;
  return ALL_REASON_CODES.map((code) => {
    const info = REASON_CODES[code];
    return {
      code,
      group: info.group,
      kind: info.kind,
      title: info.title,
      description: info.description,
      defaultWeight: info.kind === 'hard' ? null : (weights[code as WeightedReasonCode] ?? null),
    };
  });
}

/**
 * The rules a backtest runs: the global draft (or the live rules without one) and, per site,
 * its override draft (or its published override). Frozen into the job when it starts.
 */
export interface DraftSnapshot {
  global: { version: number; source: 'draft' | 'published' | 'default'; rules: Rules };
  overrides: Array<{ siteId: string; version: number; source: 'draft' | 'published'; rules: RulesOverride }>;
}

export async function draftSnapshot(db: Database): Promise<DraftSnapshot> {
  const rows = (await db.models.RulesVersion.find({ status: { $in: ['draft', 'published'] } }).sort({ version: 1 }).lean()) as RulesRow[];
  let globalPublished: RulesRow | null = null;
  let globalDraft: RulesRow | null = null;
  const perSite = new Map<string, { published?: RulesRow; draft?: RulesRow }>();
  for (const row of rows) {
    if (isGlobalScope(row.scope)) {
      if (row.status === 'draft') globalDraft = row;
      else globalPublished = row;
    } else {
      const entry = perSite.get(row.scope) ?? {};
      if (row.status === 'draft') entry.draft = row;
      else entry.published = row;
      perSite.set(row.scope, entry);
    }
  }
  const globalRow = globalDraft ?? globalPublished;
  const global = {
    version: globalRow?.version ?? 0,
    source: globalDraft ? ('draft' as const) : globalPublished ? ('published' as const) : ('default' as const),
    rules: storedGlobal(globalRow),
  };
  const overrides: DraftSnapshot['overrides'] = [];
  for (const [siteId, entry] of perSite) {
    const row = entry.draft ?? entry.published;
    const rules = storedOverride(row ?? null);
    if (!row || !rules) continue;
    try {
      applyOverride(global.rules, rules);
    } catch (error) {
      throw badRequest(`The override of site ${siteId} (v${row.version}) does not fit the global rules being tested: ${(error as Error).message.slice(0, 300)}`);
    }
    overrides.push({ siteId, version: row.version, source: entry.draft ? 'draft' : 'published', rules });
  }
  return { global, overrides };
}

/** Published overrides in force, per site (for re-scoring labelled events with older global versions). */
export async function liveOverrides(db: Database): Promise<Map<string, RulesOverride>> {
  const rows = (await db.models.RulesVersion.find({ scope: { $ne: GLOBAL_SCOPE }, status: 'published' }).sort({ version: 1 }).lean()) as RulesRow[];
  const map = new Map<string, RulesOverride>();
  for (const row of rows) {
    const rules = storedOverride(row);
    if (rules) map.set(row.scope, rules);
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
