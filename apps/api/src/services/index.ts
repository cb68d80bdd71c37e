import { pino, type Logger } from 'pino';
import { DEFAULT_SESSION_LIFETIME, LoginThrottle, WindowLimiter, type SessionLifetime } from '@tagward/auth';
import type { Database } from '@tagward/db';
import type { ApiConfig } from '../config.js';
import { createMailer, type Mailer } from '../mail/mailer.js';
import type { Integrations } from './integrations.js';

const HOUR_MS = 60 * 60 * 1000;

/** Per-app stateful helpers, created once and shared by every request. */
export interface Services {
  loginThrottle: LoginThrottle;
  /** Second-factor codes: their own counters, so a right password does not forgive wrong codes. */
  secondFactorThrottle: LoginThrottle;
  signupPerAddress: WindowLimiter;
  signupPerNetwork: WindowLimiter;
  /** Unauthenticated requests that make us mail someone (reset requests), per client address. */
  mailRequestsPerAddress: WindowLimiter;
  mailsPerRecipient: WindowLimiter;
  mailer: Mailer;
  sessionLifetime: SessionLifetime;
  /** Webhook worker and key-use counter (absent in contexts built without a server). */
  integrations?: Integrations;
}

export function createServices(db: Database, config: ApiConfig, log: Logger = pino({ level: config.logLevel })): Services {
  return {
    loginThrottle: new LoginThrottle(db, config.loginThrottle, 'login'),
    secondFactorThrottle: new LoginThrottle(db, config.loginThrottle, '2fa'),
    signupPerAddress: new WindowLimiter(db, 'signup:addr', config.signupPerAddress, HOUR_MS),
    signupPerNetwork: new WindowLimiter(db, 'signup:net', config.signupPerNetwork, HOUR_MS),
    mailRequestsPerAddress: new WindowLimiter(db, 'mailreq:addr', config.signupPerAddress * 2, HOUR_MS),
    mailsPerRecipient: new WindowLimiter(db, 'mail:to', config.mailsPerRecipient, HOUR_MS),
    mailer: createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, log }),
    sessionLifetime: {
      ...DEFAULT_SESSION_LIFETIME,
      idleMs: config.sessionIdleHours * HOUR_MS,
      absoluteMs: config.sessionMaxHours * HOUR_MS,
    },
  };
}
