import { router } from '../trpc.js';
import { authRouter } from './auth.js';
import { sitesRouter } from './sites.js';
import { keysRouter } from './keys.js';
import { originsRouter } from './origins.js';
import { statsRouter } from './stats.js';
import { eventsRouter } from './events.js';
import { moderationRouter } from './moderation.js';
import { attestationRouter } from './attestation.js';
import { twoFactorRouter } from './two-factor.js';
import { accountRouter } from './account.js';
import { invitationsRouter } from './invitations.js';
import { apiKeysRouter } from './api-keys.js';
import { webhooksRouter } from './webhooks.js';

/** Every domain router, one line each. */
export const appRouter = router({
  auth: authRouter,
  sites: sitesRouter,
  keys: keysRouter,
  origins: originsRouter,
  stats: statsRouter,
  events: eventsRouter,
  moderation: moderationRouter,
  attestation: attestationRouter,
  twoFactor: twoFactorRouter,
  account: accountRouter,
  invitations: invitationsRouter,
  apiKeys: apiKeysRouter,
  webhooks: webhooksRouter,
});

export type AppRouter = typeof appRouter;
