/**
 * @tagward/keys: server-only key material. Secret and publishable keys, sealing of page-token
 * signing keys under the master key, the page-token verifier, key rotation decisions and the
 * verify-API handler. Never import this from browser code or from the SDK.
 */
export { KeysError, type KeysErrorCode } from './errors.js';
// The outcome type belongs to the trust engine, which scores it; the verifier produces it.
export type { TokenStatus, TokenOutcome } from '@tagward/trust';
export { keyRejection, type KeyRecord, type LookupKey } from './key-record.js';
export {
  SECRET_KEY_PATTERN,
  PAGE_TOKEN_KEY_INFO,
  parseSecretKey,
  hashSecretKey,
  secretKeyMatchesHash,
  deriveSigningKey,
  generatePublishableKey,
  generateSecretKey,
  storedSecretKey,
  type KeyMode,
  type ParsedSecretKey,
  type GeneratedSecretKey,
  type StoredSecretKey,
} from './secret-key.js';
export { parseMasterKey, generateMasterKey, sealSigningKey, openSigningKey } from './master-key.js';
export {
  createNonceSpender,
  createMemoryNonceSpender,
  type SpendNonce,
  type SpentNonceInsert,
} from './nonce.js';
export {
  DEFAULT_CLOCK_SKEW_MS,
  MAX_CLOCK_SKEW_MS,
  DEFAULT_KEY_CACHE_TTL_MS,
  DEFAULT_KEY_CACHE_MAX_ENTRIES,
  createTokenVerifier,
  type TokenVerifier,
  type TokenVerifierOptions,
  type TokenVerifyContext,
  type TokenVerification,
  type TokenCheck,
} from './verifier.js';
export {
  DEFAULT_ROTATION_GRACE_MS,
  MAX_ROTATION_GRACE_MS,
  keyState,
  planRotation,
  planRevocation,
  rotateSecretKey,
  type KeyState,
  type KeyLifecycle,
  type KeyUpdate,
  type RotationStrategy,
} from './rotation.js';
export {
  VERIFY_BEACON_PATH,
  EVENT_ID_PATTERN,
  VERIFY_API_ERROR_CODES,
  handleVerifyRequest,
  type VerifyApiErrorCode,
  type VerifyApiErrorBody,
  type BeaconReason,
  type BeaconVerification,
  type StoredBeacon,
  type VerifyRequestInput,
  type VerifyRequestDeps,
  type VerifyResponse,
  type RateLimitDecision,
} from './verify-api.js';
export {
  generateRestrictedKey,
  parseRestrictedKey,
  type GeneratedRestrictedKey,
  type ParsedRestrictedKey,
  type RestrictedKeyRecord,
  type LookupRestrictedKey,
} from './restricted-key.js';
export {
  authenticateApiKey,
  type ApiPrincipal,
  type ApiAuthDeps,
  type ApiAuthResult,
  type ApiAuthFailure,
} from './api-auth.js';
