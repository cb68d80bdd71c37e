export {
  COLLECT_PATH,
  MAX_BODY_BYTES,
  PAYLOAD_VERSION,
  PUBLISHABLE_KEY_PATTERN,
  CHECK_ID_PATTERN,
  checkResultSchema,
  timingSchema,
  collectPayloadSchema,
  type CheckResult,
  type CollectTiming,
  type CollectPayload,
} from './payload.js';
export { CHECK_IDS, type CheckId } from './checks.js';
export {
  BEACON_ERROR_CODES,
  type BeaconErrorCode,
  type ErrorBody,
  type CollectAccepted,
} from './errors.js';
export {
  PAGE_TOKEN_PREFIX,
  PAGE_TOKEN_DEFAULT_TTL_MS,
  PAGE_TOKEN_MAX_TTL_MS,
  PAGE_TOKEN_MAX_LENGTH,
  PAGE_TOKEN_NONCE_BYTES,
  PAGE_TOKEN_MAX_ORIGIN_LENGTH,
  PAGE_TOKEN_MAX_PATH_LENGTH,
  PAGE_TOKEN_ERROR_CODES,
  KID_PATTERN,
  PageTokenError,
  type PageTokenClaims,
  type DecodedPageToken,
  type PageTokenErrorCode,
  type PageTokenDecodeResult,
  type PageTokenSigningKey,
} from './page-token.js';
export {
  buildPageTokenClaims,
  canonicalPageTokenOrigin,
  canonicalPageTokenPath,
  isPageTokenOriginClaim,
  isPageTokenPathClaim,
  pagePathMatches,
  type BuildPageTokenClaimsOptions,
} from './page-token-claims.js';
export { encodePageToken, decodePageToken } from './page-token-codec.js';
export { signPageToken, verifyPageTokenSignature } from './page-token-signature.js';
export {
  SECRET_KEY_PATTERN,
  PAGE_TOKEN_KEY_INFO,
  parseSecretKey,
  derivePageTokenSigningKey,
  type ParsedSecretKey,
} from './page-token-key.js';
export { normalizeOrigin, parseOrigin, isLoopbackHost, type ParsedOrigin } from './origin-parse.js';
export {
  normalizeOriginPattern,
  originMatches,
  isAllowedOrigin,
  compileOriginAllowlist,
  type OriginMode,
  type OriginPatternErrorCode,
  type OriginPatternResult,
  type OriginAllowlist,
} from './origins.js';
export {
  API_SCOPES,
  RESTRICTED_KEY_PATTERN,
  isApiScope,
  parseRestrictedKey,
  type ApiScope,
  type ParsedRestrictedKey,
} from './api-keys.js';
export {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_EVENT_ID_HEADER,
  WEBHOOK_TOLERANCE_S,
  WEBHOOK_SECRET_PATTERN,
  signWebhook,
  parseWebhookSignature,
  checkWebhookSignature,
  type WebhookSignatureCheck,
} from './webhook-signature.js';
