import type { Logger } from 'pino';
import type { Database } from '@tagward/db';
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

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  async start(refreshMs: number): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.log.warn({ err: error }, 'rules refresh failed'));
    }, refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const docs = await this.db.models.RulesVersion.find({
      $or: [{ status: 'published' }, { status: 'draft', shadow: true, scope: 'global' }],
    })
      .select({ scope: 1, version: 1, status: 1, rules: 1, shadow: 1 })
      // Ascending, so the highest version of a scope wins: publishing inserts the new version
      // before archiving the old one, and a refresh in between sees both.
      .sort({ version: 1 })
      .lean();
    const next: Snapshot = { global: this.snapshot.global, overrides: new Map(), shadow: null };
    let sawGlobal = false;
    for (const doc of docs) {
      if (doc.status === 'draft') {
        const parsed = rulesSchema.safeParse(doc.rules);
        if (parsed.success) next.shadow = { rules: parsed.data, version: doc.version };
        else this.log.error({ version: doc.version }, 'shadow rules fail the schema; ignored');
      } else if (doc.scope === 'global') {
        const parsed = rulesSchema.safeParse(doc.rules);
        if (parsed.success) {
          next.global = { rules: parsed.data, version: doc.version };
          sawGlobal = true;
        } else this.log.error({ version: doc.version }, 'published rules fail the schema; ignored');
      } else {
        const parsed = rulesOverrideSchema.safeParse(doc.rules);
        if (parsed.success) next.overrides.set(doc.scope, { override: parsed.data, version: doc.version });
        else this.log.error({ scope: doc.scope }, 'site override fails the schema; ignored');
      }
    }
    if (!sawGlobal) next.global = { rules: DEFAULT_RULES, version: 0 };
    this.snapshot = next;
    this.merged = new Map();
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
