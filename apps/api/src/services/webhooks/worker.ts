/**
 * The webhook worker of one API process: every `pollMs` it dispatches the outbox, then delivers
 * what is due (a few at a time), and every `alertSweepMs` it runs the alert sweep. Several API
 * processes may each run one: claims and compare-and-sets keep them from doubling anything.
 */
import { WEBHOOK_EVENT_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, signWebhook } from '@tagward/protocol';
import type { Database } from '@tagward/db';
import type { Logger } from 'pino';
import type { ApiConfig } from '../../config.js';
import { sweepAlerts } from './alerts.js';
import { cancelDelivery, claimDue, disableFailingEndpoint, dispatchOutbox, recordAttempt, type ClaimedDelivery } from './deliveries.js';
import type { Notifier } from './notifier.js';
import { openWebhookSecret } from './secrets.js';
import { postWebhook, type NetworkHooks } from './transport.js';
import { TEST_EVENT } from './types.js';

export interface WebhookWorkerDeps {
  db: Database;
  config: ApiConfig;
  log: Logger;
  notifier: Notifier;
  now: () => Date;
  network?: NetworkHooks;
}

const CONCURRENCY = 4;
const USER_AGENT = 'Tagward-Webhooks/1.0';

export class WebhookWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private lastSweep = 0;
  private again = false;

  constructor(private readonly deps: WebhookWorkerDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs a round now (after an event was written here), instead of at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const soon = this.again;
        this.again = false;
        this.schedule(soon ? 0 : this.deps.config.webhooks.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  /** One round. Errors are logged, never thrown: the next round tries again. */
  async round(): Promise<void> {
    const { db, log, config } = this.deps;
    try {
      await dispatchOutbox(db, this.deps.now());
      const nowMs = this.deps.now().getTime();
      if (nowMs - this.lastSweep >= config.webhooks.alertSweepMs) {
        this.lastSweep = nowMs;
        await sweepAlerts(db, this.deps.now());
        await dispatchOutbox(db, this.deps.now());
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, () => this.deliverWhileDue()));
    } catch (error) {
      log.error({ err: error }, 'webhook round failed');
    }
  }

  private async deliverWhileDue(): Promise<void> {
    while (!this.stopped) {
      const leaseMs = this.deps.config.webhooks.timeoutMs + 30_000;
      const delivery = await claimDue(this.deps.db, this.deps.now(), leaseMs);
      if (!delivery) return;
      await this.deliver(delivery);
    }
  }

  private secretsOf(endpoint: { _id: unknown; secretEnc: string; previousSecretEnc?: string | null; previousSecretExpiresAt?: Date | null }): string[] {
    const id = String(endpoint._id);
    const { masterKey } = this.deps.config;
    const secrets = [openWebhookSecret(endpoint.secretEnc, id, masterKey)];
    const previousLive = endpoint.previousSecretEnc && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > this.deps.now();
    if (previousLive) secrets.push(openWebhookSecret(endpoint.previousSecretEnc!, id, masterKey));
    return secrets;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const { db, config, log } = this.deps;
    const endpoint = await db.models.WebhookEndpoint.findById(delivery.endpointId).lean();
    if (!endpoint) return cancelDelivery(db, delivery, 'The endpoint was deleted.', this.deps.now());
    // Test events go to disabled endpoints too: that is how an owner checks a fix before enabling.
    if (endpoint.status !== 'enabled' && delivery.type !== TEST_EVENT) return cancelDelivery(db, delivery, 'The endpoint is disabled.', this.deps.now());
    const timestamp = Math.floor(this.deps.now().getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      [WEBHOOK_SIGNATURE_HEADER.toLowerCase()]: signWebhook(delivery.body, this.secretsOf(endpoint), timestamp),
      [WEBHOOK_EVENT_ID_HEADER.toLowerCase()]: delivery.eventId,
      'tagward-event-type': delivery.type,
      'tagward-delivery-attempt': String(delivery.attemptCount),
    };
    const outcome = await postWebhook(endpoint.url, delivery.body, headers, { mode: config.webhooks.targets, timeoutMs: config.webhooks.timeoutMs, hooks: this.deps.network });
    const result = await recordAttempt(db, delivery, outcome, config.webhooks, this.deps.now());
    if (result === 'failed' && delivery.type !== TEST_EVENT && (await disableFailingEndpoint(db, delivery.endpointId, this.deps.now()))) {
      log.warn({ endpointId: String(delivery.endpointId), siteId: String(delivery.siteId) }, 'webhook endpoint disabled after failing deliveries');
      await this.deps.notifier
        .notifyOwners(
          String(delivery.siteId),
          'A Tagward webhook endpoint was disabled',
          `Deliveries to ${endpoint.url} failed for ${Math.round(config.webhooks.giveUpAfterMs / 3_600_000)} hours (last error: ${outcome.error ?? 'unknown'}${outcome.status ? `, HTTP ${outcome.status}` : ''}). ` +
            'Tagward stopped sending to it. Fix the receiver, send a test event from the dashboard, then enable the endpoint again.',
        )
        .catch((error: unknown) => log.error({ err: error }, 'owner notification failed'));
    }
  }
}
