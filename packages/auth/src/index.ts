export {
  hashPassword,
  verifyPassword,
  verifyPasswordAgainstNothing,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
} from './password.js';
export {
  createSession,
  validateSessionToken,
  markReauthenticated,
  invalidateSession,
  invalidateUserSessions,
  generateSecureRandomString,
  DEFAULT_SESSION_LIFETIME,
  type SessionLifetime,
  type SessionRecord,
  type SessionUser,
  type ValidatedSession,
} from './session.js';
export {
  serializeSessionCookie,
  serializeBlankSessionCookie,
  readSessionToken,
  parseCookieHeader,
  shouldUseSecureCookie,
  sessionCookieName,
  SECURE_COOKIE_NAME,
  DEV_COOKIE_NAME,
  type CookieSecurePolicy,
} from './cookie.js';
export { verifyRequestOrigin, type OriginCheck, type OriginCheckInput } from './csrf.js';
export {
  LoginThrottle,
  DEFAULT_LOGIN_THROTTLE,
  delayAfterFailure,
  type AllowedAttempt,
  type LoginThrottleSettings,
  type ThrottleDecision,
} from './throttle.js';
export { networkOf } from './network.js';
export { WindowLimiter } from './window-limit.js';
export { generateToken, sha256Hex } from './tokens.js';
export {
  generateTotpKey,
  totpKeyText,
  totpKeyUri,
  totpCode,
  totpStep,
  verifyTotp,
  generateRecoveryCodes,
  hashRecoveryCode,
  RECOVERY_CODE_COUNT,
  TOTP_PERIOD_SECONDS,
} from './totp.js';
