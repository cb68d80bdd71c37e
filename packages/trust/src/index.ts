export {
  REASON_CODES,
  ALL_REASON_CODES,
  WEIGHTED_REASON_CODES,
  HARD_REASON_CODES,
  BONUS_REASON_CODES,
  type ReasonCode,
  type WeightedReasonCode,
  type HardReasonCode,
  type ReasonInfo,
  type ReasonKind,
  type SignalGroup,
} from './codes.js';
export { SIGNAL_GROUPS, SIGNAL_GROUP_TITLES } from './groups.js';
export type {
  TokenStatus,
  TokenOutcome,
  AttestationStatus,
  AttestationOutcome,
  KeyMode,
  RequestFacts,
  SourceCounts,
  Signals,
  OriginStatus,
  ReferrerKind,
  UaFamily,
  LibraryFingerprint,
  Reason,
  Verdict,
  ScoreResult,
} from './types.js';
export { deriveSignals } from './derive.js';
export { score, reasonCodes } from './score.js';
export { cadenceReach, type CadenceReach } from './judge-timing.js';
export { DEFAULT_RULES, DEFAULT_WEIGHTS, type Rules, type RulesOverride } from './rules.js';
export { rulesSchema, rulesOverrideSchema } from './rules-schema.js';
export { applyOverride } from './rules-override.js';
export {
  rescore,
  type BacktestSummary,
  type StoredEvent,
  type FlippedEvent,
  type ReasonDelta,
} from './rescore.js';
export { ipPrefix, parseCidr } from './ip.js';
export { classifyUserAgent, type UaClaim } from './user-agent.js';
export { renderReasonTables } from './docs.js';
