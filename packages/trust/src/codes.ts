/**
 * The stable reason codes. They are stored in events, counted as keys of rollup documents and
 * shown in the dashboard, so: snake_case, never renamed, never reused for another meaning. Add
 * new ones at the end of their group, in that group's file under `codes/`.
 */
import { ATTESTATION_CODES } from './codes/attestation.js';
import { BLOCKLIST_CODES } from './codes/blocklist.js';
import { CADENCE_CODES } from './codes/cadence.js';
import { ORIGIN_CODES } from './codes/origin.js';
import { PAGE_TOKEN_CODES } from './codes/page-token.js';
import type { ReasonInfo, ReasonKind } from './codes/reason-info.js';
import { REFERRER_CODES } from './codes/referrer.js';
import { REQUEST_SHAPE_CODES } from './codes/request-shape.js';
import { TIMING_CODES } from './codes/timing.js';

export type { ReasonInfo, ReasonKind, SignalGroup } from './codes/reason-info.js';

// Spread in judging order (the order of SIGNAL_GROUPS): ALL_REASON_CODES, the docs and the
// dashboard list the codes in this order.
const CATALOGUE = {
  ...ORIGIN_CODES,
  ...REFERRER_CODES,
  ...PAGE_TOKEN_CODES,
  ...TIMING_CODES,
  ...CADENCE_CODES,
  ...REQUEST_SHAPE_CODES,
  ...ATTESTATION_CODES,
  ...BLOCKLIST_CODES,
} as const satisfies Record<string, ReasonInfo>;

export type ReasonCode = keyof typeof CATALOGUE;

/** Every reason code with its plain-words explanation, as the dashboard shows it. */
export const REASON_CODES: Readonly<Record<ReasonCode, ReasonInfo>> = CATALOGUE;

/** All codes, in catalogue order (grouped by signal). */
export const ALL_REASON_CODES = Object.keys(CATALOGUE) as ReasonCode[];

type CodesOfKind<K extends ReasonKind> = {
  [C in ReasonCode]: (typeof CATALOGUE)[C]['kind'] extends K ? C : never;
}[ReasonCode];

/** Codes scored by a weight (bonus or penalty). */
export type WeightedReasonCode = CodesOfKind<'bonus' | 'penalty'>;
/** Codes of hard rules. */
export type HardReasonCode = CodesOfKind<'hard'>;

export const WEIGHTED_REASON_CODES = ALL_REASON_CODES.filter(
  (c): c is WeightedReasonCode => CATALOGUE[c].kind !== 'hard',
);
export const HARD_REASON_CODES = ALL_REASON_CODES.filter(
  (c): c is HardReasonCode => CATALOGUE[c].kind === 'hard',
);
export const BONUS_REASON_CODES = ALL_REASON_CODES.filter(
  (c) => CATALOGUE[c].kind === 'bonus',
) as WeightedReasonCode[];
