/**
 * What the moderation procedures return: plain shapes built field by field, dates as ISO strings.
 * Rules travel as the trust engine's own `Rules` / `RulesOverride` data (after validation), since
 * that is exactly what an admin edits.
 */
import type { Rules, RulesOverride, Verdict } from '@tagward/trust';

/** `global`, or the hex id of a site (its override). */
export type RulesScope = string;

export type RulesStatus = 'draft' | 'published' | 'archived';

export interface RulesVersionDto {
  scope: RulesScope;
  version: number;
  status: RulesStatus;
  note: string;
  /** Who published it (drafts: who created them). */
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
  shadow: boolean;
}

interface RulesStateBase {
  scope: RulesScope;
  /** A site's name for an override scope; null for global. */
  siteName: string | null;
  /** Version in force: 0 means the built-in defaults (global) or no override (site). */
  liveVersion: number;
  published: RulesVersionDto | null;
  draft: RulesVersionDto | null;
}

export interface GlobalRulesStateDto extends RulesStateBase {
  kind: 'global';
  liveRules: Rules;
  /** The draft's rules, or null when there is no draft. */
  draftRules: Rules | null;
  defaults: Rules;
}

export interface OverrideRulesStateDto extends RulesStateBase {
  kind: 'override';
  liveRules: RulesOverride | null;
  draftRules: RulesOverride | null;
  /** The global rules in force, which the override is merged into. */
  globalRules: Rules;
}

export type RulesStateDto = GlobalRulesStateDto | OverrideRulesStateDto;

export interface ModerationSiteDto {
  id: string;
  name: string;
  mode: 'live' | 'test';
  /** Version of the published override, or null without one. */
  overrideVersion: number | null;
  hasDraft: boolean;
}

export interface ReasonCatalogueEntryDto {
  code: string;
  group: string;
  kind: 'bonus' | 'penalty' | 'hard';
  title: string;
  description: string;
  /** The shipped default weight; null for hard rules. */
  defaultWeight: number | null;
}

// ---- backtests ------------------------------------------------------------------------------

export type VerdictCounts = Record<Verdict, number>;

export interface BacktestSampleDto {
  id: string;
  siteId: string;
  siteName: string;
  receivedAt: string | null;
  path: string;
  before: { score: number; verdict: Verdict; reasons: string[] };
  after: { score: number; verdict: Verdict; reasons: Array<{ code: string; weight: number; detail: string }> };
}

export interface BacktestSiteImpactDto {
  siteId: string;
  siteName: string;
  total: number;
  before: VerdictCounts;
  after: VerdictCounts;
}

/** What a backtest counts: the events, and their verdicts under the old and the new rules. */
export interface BacktestCounts {
  total: number;
  /** Events whose stored signals could not be scored (unknown format): left out of the counts. */
  skipped: number;
  before: VerdictCounts;
  after: VerdictCounts;
  flipped: number;
  transitions: Array<{ from: Verdict; to: Verdict; count: number }>;
}

export interface BacktestResultDto extends BacktestCounts {
  reasonDeltas: Array<{ code: string; title: string; before: number; after: number; delta: number }>;
  meanScore: { before: number; after: number };
  sample: BacktestSampleDto[];
  sites: BacktestSiteImpactDto[];
}

export type BacktestStatus = 'running' | 'done' | 'failed' | 'canceled';

export interface BacktestJobDto {
  id: string;
  status: BacktestStatus;
  from: string;
  to: string;
  siteId: string | null;
  /** Which rules were tested: the global draft (or live rules without one) and the site overrides. */
  rules: { globalVersion: number; globalSource: 'draft' | 'published' | 'default'; overrides: number };
  createdBy: string | null;
  /** Events in the window: estimated from the hourly rollups while running, exact when done. */
  total: number;
  processed: number;
  /** Share done, 0..1 (1 when finished; 0 while running without an estimate). */
  progress: number;
  cancelRequested: boolean;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
  elapsedMs: number;
  /** Counts so far while running; the final summary after. */
  result: BacktestResultDto | null;
}

// ---- shadow mode ----------------------------------------------------------------------------

export interface ShadowCellDto {
  live: Verdict;
  shadow: Verdict;
  count: number;
}

export interface ShadowEventDto {
  id: string;
  siteId: string;
  siteName: string;
  receivedAt: string;
  path: string;
  live: { score: number; verdict: Verdict; reasons: string[] };
  shadow: { score: number; verdict: Verdict; reasons: string[] };
}

export interface ShadowComparisonDto {
  from: string;
  to: string;
  /** Shadow versions seen in the window, newest first, with how many events each scored. */
  versions: Array<{ version: number; events: number }>;
  version: number | null;
  /** The current shadow draft (what the beacon runs now), if shadow mode is on. */
  activeVersion: number | null;
  total: number;
  agreement: number | null;
  matrix: ShadowCellDto[];
  disagreements: ShadowEventDto[];
}

// ---- review queue ---------------------------------------------------------------------------

export type LabelValue = 'fraud' | 'legit';

export interface LabelDto {
  value: LabelValue;
  by: string | null;
  byEmail: string | null;
  at: string;
}

export interface ReviewItemDto {
  id: string;
  siteId: string;
  siteName: string;
  receivedAt: string;
  url: string;
  path: string;
  score: number;
  verdict: Verdict;
  rulesVersion: number;
  reasons: Array<{ code: string; weight: number; detail: string; title: string }>;
  /** A few signals that help a human decide, as label/value pairs. */
  facts: Array<{ label: string; value: string }>;
  shadow: { verdict: Verdict; score: number; version: number } | null;
  label: LabelDto | null;
}

export interface ReviewPageDto {
  items: ReviewItemDto[];
  nextCursor: string | null;
}

export interface ConfusionDto {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  labeled: number;
  /** null when nothing was predicted positive. */
  precision: number | null;
  /** null when nothing is labelled fraud. */
  recall: number | null;
}

export interface VersionMetricsDto extends ConfusionDto {
  version: number;
  status: RulesStatus | 'default';
  note: string;
}

export interface ReviewMetricsDto {
  includeSuspect: boolean;
  labels: { fraud: number; legit: number };
  /** Events grouped by the version that scored them live. */
  live: Array<ConfusionDto & { version: number }>;
  /** Every labelled event re-scored by each global version (and the draft), with today's site overrides. */
  rescored: VersionMetricsDto[];
  /** Labelled events re-scored (capped). */
  rescoredEvents: number;
}

// ---- audit log ------------------------------------------------------------------------------

export interface AuditEntryDto {
  id: string;
  at: string;
  actorId: string;
  actorEmail: string | null;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

export interface AuditPageDto {
  items: AuditEntryDto[];
  nextCursor: string | null;
}
