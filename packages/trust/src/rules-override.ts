import type { Rules, RulesOverride } from './rules.js';
import { rulesSchema } from './rules-schema.js';

const overrideCache = new WeakMap<Rules, WeakMap<RulesOverride, Rules>>();

/**
 * Applies a site's override to the global rules. Block lists are concatenated (a site can add
 * to the global blocklists, never remove from them); everything else replaces. The result is
 * validated, so an override that breaks an invariant (say `thresholds.trusted` above `base`)
 * throws a ZodError. Results are memoised per (global, override) object pair, which keeps the
 * beacon's hot path cheap and lets `score` reuse its compiled form.
 *
 * @example
 * const rules = applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true, blockIps: ['198.51.100.0/24'] } });
 * rules.hard.pageTokenRequired; // true
 */
export function applyOverride(global: Rules, override: RulesOverride | undefined): Rules {
  if (override === undefined) return global;
  let perGlobal = overrideCache.get(global);
  const cached = perGlobal?.get(override);
  if (cached !== undefined) return cached;
  const merged = {
    schema: global.schema,
    version: global.version,
    base: override.base ?? global.base,
    thresholds: { ...global.thresholds, ...override.thresholds },
    weights: { ...global.weights, ...override.weights },
    timing: { ...global.timing, ...override.timing },
    cadence: { ...global.cadence, ...override.cadence },
    shape: { ...global.shape, ...override.shape },
    hard: {
      pageTokenRequired: override.hard?.pageTokenRequired ?? global.hard.pageTokenRequired,
      blockIps: [...global.hard.blockIps, ...(override.hard?.blockIps ?? [])],
      blockUserAgents: [...global.hard.blockUserAgents, ...(override.hard?.blockUserAgents ?? [])],
      blockOrigins: [...global.hard.blockOrigins, ...(override.hard?.blockOrigins ?? [])],
    },
  };
  const result = rulesSchema.parse(merged);
  if (perGlobal === undefined) {
    perGlobal = new WeakMap();
    overrideCache.set(global, perGlobal);
  }
  perGlobal.set(override, result);
  return result;
}
