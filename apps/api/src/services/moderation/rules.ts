/**
 * Rules versions for moderation: reading (store.ts, state.ts), validating (parse.ts) and
 * changing them (lifecycle.ts). See store.ts for the contract with the beacon.
 */
export { mergeOrExplain, parseGlobalRules, parseOverride, rulesValidationError } from './rules/parse.js';
export {
  GLOBAL_SCOPE,
  emailsOf,
  findDraft,
  findPublished,
  globalVersionsWithRules,
  isGlobalScope,
  liveGlobalRules,
  liveOverrides,
  type Actor,
} from './rules/store.js';
export { draftSnapshot, getRulesState, listModerationSites, listVersions, reasonCatalogue, type DraftSnapshot } from './rules/state.js';
export { discardDraft, publishDraft, rollback, saveDraft, setShadow } from './rules/lifecycle.js';
