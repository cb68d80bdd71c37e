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
  invalidateSession,
  invalidateUserSessions,
  generateSecureRandomString,
  SESSION_TTL_MS,
  SESSION_RENEW_WITHIN_MS,
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
  DEFAULT_LOGIN_LIMITS,
  type LoginThrottleLimits,
  type ThrottleDecision,
} from './throttle.js';
