import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the timing signal group.
 * The page's own timings, and the token's age when the beacon arrived.
 */
export const TIMING_CODES = {
  token_too_young: {
    group: 'timing',
    kind: 'penalty',
    title: 'Token used too fast',
    description:
      'The beacon arrived sooner after the token was minted than a browser needs to receive the page, load it and reach an idle callback, and sooner than the page itself says passed between its first byte and the send (a token is minted before the first byte). Scripts that scrape the token and post at once with timings copied from a real page do this; a real page that loads in a few milliseconds next to its server does not, because its own timings are that short too. Its weight outweighs the valid token it comes with: a fresh token used too fast is not trusted on its own. Clock skew between the client server and Tagward shifts this figure (25 ms are allowed for it).',
    forgery:
      'Wait a realistic time before posting, or report page timings as short as the token is young (a page that loaded next to its server).',
  },
  token_older_than_lifetime: {
    group: 'timing',
    kind: 'penalty',
    title: 'Token older than its lifetime',
    description:
      'Token age at arrival exceeds its lifetime as Tagward measures it (adds to page_token_expired when the verifier also refused it).',
    forgery: 'Use tokens while they are fresh.',
  },
  timing_zero: {
    group: 'timing',
    kind: 'penalty',
    title: 'Zero page timings',
    description:
      "Check-start or send time is exactly 0 ms. Both are read from the page's clock when the embed script runs, which is never the instant the navigation started. A load time of 0 is not counted here: Navigation Timing defines loadEventEnd as 0 while the load event has not finished, which is what a visitor who leaves before load (a bounce) sends.",
    forgery: 'Report plausible timings.',
  },
  timing_non_monotonic: {
    group: 'timing',
    kind: 'penalty',
    title: 'Timings out of order',
    description:
      'The reported timings contradict each other (first byte after load end, checks starting before load, sending before the checks ended).',
    forgery: 'Report timings in a consistent order.',
  },
  timing_repeated: {
    group: 'timing',
    kind: 'penalty',
    title: 'Identical timings repeated',
    description:
      'The same visitor sent the exact same timing figures before. Real page loads never repeat to the millisecond; replayed payloads do.',
    forgery: 'Randomise the timings per event.',
  },
  timing_out_of_range: {
    group: 'timing',
    kind: 'penalty',
    title: 'Timings out of range',
    description:
      "A timing no browser reports: check-start, check duration or send time of -1 (the page's own clock always measures them; only load time and first byte may be unknown), a load time or first byte later than the rules' maximum load time (minutes, not a day), or checks that ran longer than the rules' maximum.",
    forgery: 'Report timings in the ranges real pages have.',
  },
  timing_send_gap: {
    group: 'timing',
    kind: 'penalty',
    title: 'Sent long after the checks',
    description:
      'The send time is later than the end of the checks by more than the rules allow. The embed script reads the send time in the same task that ends the checks (a retry keeps the first send time), so the two are within a millisecond or so; independently made-up timings are not.',
    forgery: 'Make the send time agree with the check timings.',
  },
  timing_unrounded: {
    group: 'timing',
    kind: 'penalty',
    title: 'Timings finer than the embed reports',
    description:
      'A timing has more than one decimal. The embed script rounds every timing to 0.1 ms, so finer values were computed by something else.',
    forgery: 'Round the timings to 0.1 ms.',
  },
} as const satisfies Record<string, ReasonInfo>;
