/** Which signal a code belongs to (the dashboard groups reasons by it). */
export type SignalGroup =
  | 'origin'
  | 'referrer'
  | 'page_token'
  | 'timing'
  | 'cadence'
  | 'request_shape'
  | 'attestation'
  | 'blocklist';

/**
 * - `bonus`: evidence for a real page view; its weight is in [0, 1].
 * - `penalty`: evidence against; its weight is in [-1, 0]. A weight of 0 switches it off.
 * - `hard`: a hard rule (blocklist, "page token required"): the score becomes 0, verdict `fraud`.
 */
export type ReasonKind = 'bonus' | 'penalty' | 'hard';

export interface ReasonInfo {
  group: SignalGroup;
  kind: ReasonKind;
  /** Short label for tables and chips. */
  title: string;
  /** What it catches, in plain words. */
  description: string;
  /** How a forger gets past it: the honest limit of the signal. */
  forgery: string;
}
