/** Reading the rules state for the moderation pages, and the snapshot a backtest runs. */
import type { Database } from '@tagward/db';
import { ALL_REASON_CODES, DEFAULT_RULES, DEFAULT_WEIGHTS, REASON_CODES, applyOverride, type Rules, type RulesOverride, type WeightedReasonCode } from '@tagward/trust';
import { badRequest } from '../../errors.js';
import type { ModerationSiteDto, ReasonCatalogueEntryDto, RulesScope, RulesStateDto, RulesVersionDto } from '../dto.js';
import {
  GLOBAL_SCOPE,
  emailsOf,
  findDraft,
  findPublished,
  isGlobalScope,
  liveGlobalRules,
  siteOf,
  storedGlobal,
  storedOverride,
  type RulesRow,
} from './store.js';

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
  const rows = (await db.models.RulesVersion.find({ status: { $in: ['draft', 'published'] } }).lean()) as RulesRow[];
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
