import type { Logger } from 'pino';
import { GLOBAL_RULES_SCOPE, readRulesInForce, type Database, type StoredRulesVersion } from '@tagward/db';
import {
  DEFAULT_RULES,
  applyOverride,
  rulesOverrideSchema,
  rulesSchema,
  type Rules,
  type RulesOverride,
} from '@tagward/trust';

export interface ActiveRules {
  rules: Rules;
  version: number;
  overrideVersion: number | null;
  /** A draft run beside the live rules (moderation's shadow mode), if one is set. */
  shadow: { rules: Rules; version: number } | null;
}

interface Snapshot {
  global: { rules: Rules; version: number };
  overrides: Map<string, { override: RulesOverride; version: number }>;
  shadow: { rules: Rules; version: number } | null;
}

/**
 * The rules in force, refreshed from the database every few seconds so a published change applies
 * without a restart. Contract with moderation: per scope (`global` or a site id) the highest
 * version with status `published` is in force; a shadow draft is `{ scope: 'global', status: 'draft',
 * shadow: true }`. A document that fails the schema is logged and skipped, never applied, and the
 * last good snapshot stays in force if the database is away.
 */
export class RulesCache {
  private snapshot: Snapshot = {
    global: { rules: DEFAULT_RULES, version: 0 },
    overrides: new Map(),
    shadow: null,
  };
  private merged = new Map<string, ActiveRules>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  async start(refreshMs: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => {
        // A refresh still in flight when the process stops meets a closed connection: not news.
        if (!this.stopped) this.log.warn({ err: error }, 'rules refresh failed');
      });
    }, refreshMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const { published, shadow } = await readRulesInForce(this.db);
    const next: Snapshot = { global: { rules: DEFAULT_RULES, version: 0 }, overrides: new Map(), shadow: null };
    if (shadow) {
      const parsed = rulesSchema.safeParse(shadow.rules);
      if (parsed.success) next.shadow = { rules: parsed.data, version: shadow.version };
      else this.log.error({ version: shadow.version }, 'shadow rules fail the schema; ignored');
    }
    for (const [scope, versions] of published) {
      if (scope === GLOBAL_RULES_SCOPE) {
        const valid = this.firstValid(versions, (rules) => rulesSchema.safeParse(rules));
        // No published version passes the schema: the last good rules stay in force.
        next.global = valid ? { rules: valid.rules, version: valid.version } : this.snapshot.global;
      } else {
        const valid = this.firstValid(versions, (rules) => rulesOverrideSchema.safeParse(rules));
        if (valid) next.overrides.set(scope, { override: valid.rules, version: valid.version });
      }
    }
    this.snapshot = next;
    this.merged = new Map();
  }

  /** The highest version whose rules pass `parse`; the others are logged and skipped. */
  private firstValid<T>(
    versions: StoredRulesVersion[],
    parse: (rules: unknown) => { success: true; data: T } | { success: false },
  ): { rules: T; version: number } | undefined {
    for (const doc of versions) {
      const parsed = parse(doc.rules);
      if (parsed.success) return { rules: parsed.data, version: doc.version };
      this.log.error({ scope: doc.scope, version: doc.version }, 'published rules fail the schema; ignored');
    }
    return undefined;
  }

  forSite(siteId: string): ActiveRules {
    let active = this.merged.get(siteId);
    if (!active) {
      const { global, overrides, shadow } = this.snapshot;
      const override = overrides.get(siteId);
      active = {
        rules: override ? applyOverride(global.rules, override.override) : global.rules,
        version: global.version,
        overrideVersion: override?.version ?? null,
        shadow,
      };
      this.merged.set(siteId, active);
    }
    return active;
  }
}
