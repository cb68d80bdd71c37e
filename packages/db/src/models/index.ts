import type mongoose from 'mongoose';
import { userModel } from './user.js';
import { sessionModel } from './session.js';
import { siteModel } from './site.js';
import { secretKeyModel } from './secret-key.js';
import { eventModel } from './event.js';
import { dailyPathRollupModel, dailyRollupModel, hourlyRollupModel, pathRollupModel } from './rollup.js';
import { spentNonceModel } from './spent-nonce.js';
import { rateCounterModel } from './rate-counter.js';
import { rulesVersionModel } from './rules-version.js';
import { auditLogModel } from './audit-log.js';
import { saltModel } from './salt.js';
import { backtestJobModel } from './backtest-job.js';
import { sitePurgeModel } from './site-purge.js';
import { authTokenModel } from './auth-token.js';
import { invitationModel } from './invitation.js';
import { restrictedKeyModel } from './restricted-key.js';
import { keyUsageModel } from './key-usage.js';
import { webhookEndpointModel } from './webhook-endpoint.js';
import { webhookEventModel } from './webhook-event.js';
import { webhookDeliveryModel } from './webhook-delivery.js';
import { siteAlertModel } from './site-alert.js';

export function registerModels(conn: mongoose.Connection) {
  return {
    User: userModel(conn),
    Session: sessionModel(conn),
    Site: siteModel(conn),
    SecretKey: secretKeyModel(conn),
    Event: eventModel(conn),
    HourlyRollup: hourlyRollupModel(conn),
    PathRollup: pathRollupModel(conn),
    DailyRollup: dailyRollupModel(conn),
    DailyPathRollup: dailyPathRollupModel(conn),
    SpentNonce: spentNonceModel(conn),
    RateCounter: rateCounterModel(conn),
    RulesVersion: rulesVersionModel(conn),
    AuditLog: auditLogModel(conn),
    Salt: saltModel(conn),
    BacktestJob: backtestJobModel(conn),
    SitePurge: sitePurgeModel(conn),
    AuthToken: authTokenModel(conn),
    Invitation: invitationModel(conn),
    RestrictedKey: restrictedKeyModel(conn),
    KeyUsage: keyUsageModel(conn),
    WebhookEndpoint: webhookEndpointModel(conn),
    WebhookEvent: webhookEventModel(conn),
    WebhookDelivery: webhookDeliveryModel(conn),
    SiteAlert: siteAlertModel(conn),
  };
}

export type Models = ReturnType<typeof registerModels>;
