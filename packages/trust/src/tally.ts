import { compileOriginAllowlist, type OriginAllowlist } from '@tagward/protocol';
import type { HardReasonCode, WeightedReasonCode } from './codes.js';
import { WEIGHTED_REASON_CODES } from './codes.js';
import { parseCidr, type CompiledCidr } from './ip.js';
import type { Rules } from './rules.js';
import type { Reason } from './types.js';

// Named, because an interface can only extend a named type.
type RulesTiming = Rules['timing'];
type RulesCadence = Rules['cadence'];

/**
 * Rules turned into what the hot path wants: integer basis points, sets, parsed ranges. The
 * timing and cadence settings are used as they are, so their fields (and their documentation)
 * are those of `Rules`: a setting added there reaches the judges without a second list here.
 */
export interface CompiledRules extends RulesTiming, RulesCadence {
  base: number;
  trusted: number;
  suspect: number;
  weight: Record<WeightedReasonCode, number>;
  contentTypes: Set<string>;
  pageTokenRequired: boolean;
  blockIps: CompiledCidr[];
  blockUserAgents: string[];
  blockOrigins: OriginAllowlist | null;
  blockOriginsText: string[];
}

/** Basis points: weights and thresholds are summed as integers, so no float drift. */
export const BP = 10_000;
const bp = (x: number): number => Math.round(x * BP);

// Compiled once per Rules object. Rules come from the database or applyOverride (memoised),
// so the same object is scored against many times; they are never mutated after parsing.
const compiledCache = new WeakMap<Rules, CompiledRules>();

export function compile(rules: Rules): CompiledRules {
  const hit = compiledCache.get(rules);
  if (hit !== undefined) return hit;
  const weight = {} as Record<WeightedReasonCode, number>;
  for (const code of WEIGHTED_REASON_CODES) weight[code] = bp(rules.weights[code] ?? 0);
  const blockIps: CompiledCidr[] = [];
  for (const text of rules.hard.blockIps) {
    const parsed = parseCidr(text);
    if (parsed.ok) blockIps.push(parsed.value);
  }
  const compiled: CompiledRules = {
    base: bp(rules.base),
    trusted: bp(rules.thresholds.trusted),
    suspect: bp(rules.thresholds.suspect),
    weight,
    ...rules.timing,
    ...rules.cadence,
    contentTypes: new Set(rules.shape.expectedContentTypes),
    pageTokenRequired: rules.hard.pageTokenRequired,
    blockIps,
    blockUserAgents: rules.hard.blockUserAgents.map((s) => s.toLowerCase()),
    blockOrigins:
      rules.hard.blockOrigins.length === 0
        ? null
        : compileOriginAllowlist(rules.hard.blockOrigins, 'test'),
    blockOriginsText: rules.hard.blockOrigins,
  };
  compiledCache.set(rules, compiled);
  return compiled;
}

/** Collects reasons and the running sum; a class, not closures, to keep the hot path lean. */
export class Tally {
  sum = 0;
  hard = false;
  readonly reasons: Reason[] = [];
  constructor(readonly c: CompiledRules) {}

  add(code: WeightedReasonCode, detail: string): void {
    const w = this.c.weight[code];
    // A zero weight switches the reason off entirely: it neither counts nor clutters rollups.
    if (w === 0) return;
    this.sum += w;
    this.reasons.push({ code, weight: w / BP, detail });
  }

  block(code: HardReasonCode, detail: string): void {
    this.hard = true;
    this.reasons.push({ code, weight: -1, detail });
  }
}
