import type { SignalGroup } from './codes.js';

/**
 * The title of each signal group, in the order the engine judges them (and the docs list them).
 * The one source for these words: docs/signals.md is generated from it; the dashboard can import
 * it alone as `@tagward/trust/groups` (this file imports only a type, so nothing else comes along).
 *
 * @example
 * SIGNAL_GROUP_TITLES.request_shape; // 'Request shape'
 */
export const SIGNAL_GROUP_TITLES: Readonly<Record<SignalGroup, string>> = {
  origin: 'Origin',
  referrer: 'Referrer',
  page_token: 'Page token',
  timing: 'Timing',
  cadence: 'Cadence',
  request_shape: 'Request shape',
  attestation: 'Attestation',
  blocklist: 'Blocklists',
};

/**
 * Every signal group, in judging order.
 *
 * @example
 * SIGNAL_GROUPS[0]; // 'origin'
 */
export const SIGNAL_GROUPS = Object.keys(SIGNAL_GROUP_TITLES) as readonly SignalGroup[];
