export {
  acquireEmbeddedServer,
  resolveDatabase,
  defaultDataDir,
  findRepoRoot,
  type EmbeddedServer,
  type DatabaseHandle,
  type AcquireOptions,
} from './embedded/acquire.js';
export { startServer, stopServer, type ServerState, type StartOptions } from './embedded/server.js';
export {
  SECANTUS_RS_VERSION,
  SECANTUS_PY_VERSION,
  defaultCacheDir,
  type EngineKind,
  type EnginePreference,
} from './embedded/engines.js';
export { EmbeddedDatabaseError } from './embedded/errors.js';
export { connectDatabase, ensureIndexes, type Database } from './connection.js';
export { takeLease, takeLock, type LockName } from './locks.js';
export { registerModels, type Models } from './models/index.js';
export type { UserDoc } from './models/user.js';
export type { SessionDoc } from './models/session.js';
export { AUTH_TOKEN_PURPOSES, type AuthTokenDoc, type AuthTokenPurpose } from './models/auth-token.js';
export type { InvitationDoc } from './models/invitation.js';
export type { SiteDoc } from './models/site.js';
export type { SecretKeyDoc } from './models/secret-key.js';
export { LABEL_VALUES, type EventDoc } from './models/event.js';
export {
  addRevisionToIncrements,
  addToIncrements,
  emptyIncrements,
  incrementsOf,
  isEmpty as isEmptyIncrements,
  mergeIncrements,
  pathId,
  scoreBucket,
  DAY_MS,
  HOUR_MS,
  type RollupIncrements,
  type RollupSource,
  type RollupUpsert,
} from './rollups/increments.js';
export {
  countRollupEvents,
  deleteSiteRollups,
  countPathPrefix,
  lastBeaconHour,
  sumCounters,
  ATTESTATION_OUTCOMES,
  type CounterTotals,
  hasRollups,
  readBuckets,
  readTopPaths,
  writeRollups,
  type Granularity,
  type PathTotals,
  type RollupBucket,
  type RollupCounters,
  type RollupRange,
} from './rollups/store.js';
export {
  EventStoreUnavailableError,
  insertEvents,
  reviseEvent,
  type EventRecord,
  type EventRevision,
  type InsertOutcome,
  type RevisedScoring,
} from './events.js';
export { GLOBAL_RULES_SCOPE, readPublishedRules, readRulesInForce, type RulesInForce, type StoredRulesVersion } from './rules-store.js';
export type { RestrictedKeyDoc } from './models/restricted-key.js';
export type { WebhookEndpointDoc } from './models/webhook-endpoint.js';
export type { WebhookDeliveryDoc } from './models/webhook-delivery.js';
export type { SiteAlertDoc } from './models/site-alert.js';
export { KEY_USAGE_RETENTION_MS, KeyUseCounter, readKeyUsage, restrictedKeyLookup, secretKeyLookup, type RestrictedKeyLookupRow, type SecretKeyLookupRow } from './api-keys.js';
