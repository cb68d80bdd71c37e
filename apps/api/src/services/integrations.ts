/**
 * The integrations' long-lived parts in one API process: the key-use counter (written about once
 * a second) and the webhook worker. `startApiServer` starts and stops them; procedures reach them
 * through `ctx.services.integrations`.
 */
import { KeyUseCounter, type Database } from '@tagward/db';
import type { Logger } from 'pino';
import type { ApiConfig } from '../config.js';
import { logNotifier, type Notifier } from './webhooks/notifier.js';
import type { NetworkHooks } from './webhooks/transport.js';
import { WebhookWorker } from './webhooks/worker.js';

export interface Integrations {
  keyUses: KeyUseCounter;
  worker: WebhookWorker;
  network: NetworkHooks;
  /** Deliver soon: an event was just written by this process. */
  kick(): void;
  start(): void;
  stop(): Promise<void>;
}

export function createIntegrations(deps: { db: Database; config: ApiConfig; log: Logger; notifier?: Notifier; network?: NetworkHooks; now: () => Date }): Integrations {
  const keyUses = new KeyUseCounter(deps.db, { onError: (err) => deps.log.warn({ err }, 'could not write key use counts') });
  const network = deps.network ?? {};
  const worker = new WebhookWorker({ db: deps.db, config: deps.config, log: deps.log, notifier: deps.notifier ?? logNotifier(deps.log), now: deps.now, network });
  const on = deps.config.webhooks.worker === 'on';
  return {
    keyUses,
    worker,
    network,
    kick: () => worker.kick(),
    start: () => {
      if (on) worker.start();
    },
    async stop() {
      await worker.stop();
      await keyUses.flush();
    },
  };
}
