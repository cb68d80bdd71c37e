// Types of what the embed script offers the host page and the attestation module. Types only:
// nothing here reaches the bundle; Node code (dashboard, demo, e2e) imports them through the
// package entry.
import type { CollectPayload } from '@tagward/protocol';

/**
 * Registered by the lazily loaded attestation module with `tagward.push(['attest', provider])`.
 * Called synchronously with each beacon's payload just before it is queued; it may set
 * `payload.att` (a Privacy Pass token, at most 4096 characters) and must change nothing else.
 * The script wraps it: if it throws, the beacon leaves without a token.
 */
export type AttestProvider = (payload: CollectPayload) => void;

/** One command for `window.tagward.push(...)`. */
export type TagwardCommand =
  /** Record one more page view now (for routers the SPA variant cannot see). */
  | ['page']
  /** Page token for the next beacon (single-page apps fetch a fresh one per view). */
  | ['token', string]
  /** Used by the attestation module only. */
  | ['attest', AttestProvider];

/** The queue: an array before the script runs, the script's own object afterwards. */
export interface TagwardQueue {
  push(...commands: TagwardCommand[]): void;
}

/** `detail` of the `tagward:beacon` event, fired once per beacon when its fate is settled. */
export interface TagwardBeaconDetail {
  /**
   * The beacon's id (the payload's idempotency id), under which the beacon stores the event and
   * which the verify API takes. Known in every case, also when sendBeacon hides the answer.
   */
  id: string;
  /** Sequence number of the page view within the page's life. */
  seq: number;
  /**
   * HTTP status of the last answer (200: stored); 0 when handed to `navigator.sendBeacon` (the
   * browser reports no answer); -1 when the network failed on every attempt.
   */
  status: number;
}
