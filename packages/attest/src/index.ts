/**
 * @tagward/attest — Privacy Pass (RFC 9576/9577/9578, token type 0x0002 blind RSA) for
 * Tagward's attestation experiment. This entry is for Node (issuer, attester, verifier, HTTP
 * handlers); the browser client is `@tagward/attest/client`.
 */
export { createIssuer } from './server/issuer.js';
export type { Issuer, IssuerDirectory, IssuerOptions } from './server/issuer.js';
export { generateIssuerKeyPem, loadIssuerKey } from './server/keys.js';
export type { IssuerKeyConfig, PublicTokenKey, VerificationKey } from './server/keys.js';
export { createVerifier, verifyToken } from './server/verify.js';
export type {
  ExpectedChallenge,
  RedemptionOutcome,
  RedemptionResult,
  SpendNonce,
  Verifier,
  VerifyOptions,
} from './server/verify.js';
export { createAttester } from './server/attester.js';
export type {
  Attester,
  AttesterOptions,
  IssuedPowChallenge,
  PowVerdict,
} from './server/attester.js';
export { challengeForOrigin } from './server/challenges.js';
export { createAttestHandlers } from './server/http.js';
export type { AttestHandlerOptions, AttestHandlers } from './server/http.js';
export { ATTEST_ERROR_CODES, AttestError } from './server/errors.js';
export type { AttestErrorCode } from './server/errors.js';
export { CHALLENGE_PATH, ISSUE_PATH } from './shared/api.js';
export type { ChallengeResponseBody } from './shared/api.js';
export {
  AUTH_SCHEME,
  formatAuthorization,
  formatWwwAuthenticate,
  parseAuthorization,
  parseWwwAuthenticate,
} from './shared/http-auth.js';
export {
  DIRECTORY_PATH,
  MEDIA_TYPE_BATCH_REQUEST,
  MEDIA_TYPE_BATCH_RESPONSE,
  MEDIA_TYPE_DIRECTORY,
  MEDIA_TYPE_TOKEN_REQUEST,
  MEDIA_TYPE_TOKEN_RESPONSE,
  NK,
  TOKEN_LENGTH,
  TOKEN_TYPE_BLIND_RSA,
  challengeDigest,
  decodeBatchRequest,
  decodeBatchResponse,
  decodeToken,
  decodeTokenChallenge,
  decodeTokenRequest,
  encodeBatchRequest,
  encodeBatchResponse,
  encodeToken,
  encodeTokenChallenge,
  encodeTokenInput,
  encodeTokenRequest,
  tokenKeyId,
} from './shared/wire.js';
export type { Token, TokenChallenge, TokenRequest } from './shared/wire.js';
