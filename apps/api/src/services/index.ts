import { LoginThrottle } from '@tagward/auth';
import type { Database } from '@tagward/db';
import type { ApiConfig } from '../config.js';
import type { Integrations } from './integrations.js';

/** Per-app stateful helpers, created once and shared by every request. */
export interface Services {
  loginThrottle: LoginThrottle;
  /** Webhook worker and key-use counter (absent in contexts built without a server). */
  integrations?: Integrations;
}

export function createServices(db: Database, config: ApiConfig): Services {
  return { loginThrottle: new LoginThrottle(db, config.loginLimits) };
}
