/** Webhook event types. Never rename one; only add. */
export const SUBSCRIBABLE_EVENTS = ['fraud.spike', 'integration.silent', 'key.rotated', 'rules.published'] as const;
export type SubscribableEvent = (typeof SUBSCRIBABLE_EVENTS)[number];
/** Sent by "Send test" to one endpoint, whatever it subscribes to. */
export const TEST_EVENT = 'webhook.test';
export type WebhookEventType = SubscribableEvent | typeof TEST_EVENT;

/** The JSON body of every delivery. */
export interface WebhookPayload {
  id: string;
  type: WebhookEventType;
  createdAt: string;
  siteId: string;
  data: Record<string, unknown>;
}
