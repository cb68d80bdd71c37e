import { LoginThrottle } from '@tagward/auth';
import type { Database } from '@tagward/db';
import type { ApiConfig } from '../config.js';

/** Per-app stateful helpers, created once and shared by every request. */
export interface Services {
  loginThrottle: LoginThrottle;
}

export function createServices(db: Database, config: ApiConfig): Services {
  return { loginThrottle: new LoginThrottle(db, config.loginLimits) };
}
