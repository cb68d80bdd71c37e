/** The webhook event types an endpoint can subscribe to, as the dashboard describes them. */
export const WEBHOOK_EVENTS = [
  { id: 'fraud.spike', label: 'fraud.spike', hint: 'the quarantined share crosses your threshold' },
  { id: 'integration.silent', label: 'integration.silent', hint: 'no beacons for some hours after traffic' },
  { id: 'key.rotated', label: 'key.rotated', hint: 'a secret key was rotated' },
  { id: 'rules.published', label: 'rules.published', hint: 'new trust rules are in force for this site' },
] as const;

export type WebhookEventId = (typeof WEBHOOK_EVENTS)[number]['id'];
