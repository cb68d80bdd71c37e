import { z } from 'zod';

/** Where the embed script sends beacons. */
export const COLLECT_PATH = '/v1/collect';
/** Largest accepted beacon body. A real one is ~1–2 KB; anything bigger is refused with 413. */
export const MAX_BODY_BYTES = 16 * 1024;
export const PAYLOAD_VERSION = 1;

/** `pk_live_…` or `pk_test_…`: public, pasted into pages. */
export const PUBLISHABLE_KEY_PATTERN = /^pk_(live|test)_[A-Za-z0-9]{16,64}$/;
/** Check ids are our own identifiers; they become keys in rollup documents, so no `.` or `$`. */
export const CHECK_ID_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

export const checkResultSchema = z.strictObject({
  id: z.string().regex(CHECK_ID_PATTERN),
  pass: z.boolean(),
  /** A measured value shown to the client (a length, a count); never free page text. */
  value: z.union([z.number().finite(), z.string().max(200), z.null()]).optional(),
});

const msSchema = z.number().finite().min(-1).max(86_400_000);

export const timingSchema = z.strictObject({
  /** ms from navigation start to the load event end (PerformanceNavigationTiming). */
  nav: msSchema,
  /** ms from navigation start to the moment the checks started (after load, at idle). */
  start: msSchema,
  /** ms the DOM checks took. */
  checks: msSchema,
  /** ms from navigation start to the send call. */
  send: msSchema,
  /** ms from navigation start to the first byte of the response, if known. */
  ttfb: msSchema.optional(),
});

export const collectPayloadSchema = z.strictObject({
  v: z.literal(PAYLOAD_VERSION),
  /** Publishable key of the site. */
  key: z.string().regex(PUBLISHABLE_KEY_PATTERN),
  /** Idempotency id chosen by the embed script: a retried beacon is stored once. */
  id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  /** Page URL (location.href without the fragment). */
  url: z.string().min(1).max(2048),
  /** document.referrer, '' when none. */
  ref: z.string().max(2048),
  /** Page token minted by the client's backend (layer 2), if the page has one. */
  token: z.string().max(1024).optional(),
  /** Privacy Pass token (attestation experiment), if this page view is in the cohort. */
  att: z.string().max(4096).optional(),
  /** Whether this page view was drawn into the attestation cohort. */
  cohort: z.boolean().optional(),
  // One result per check: two with the same id would count twice in the rollups and collide in
  // every view keyed by id.
  checks: z
    .array(checkResultSchema)
    .max(40)
    .superRefine((checks, ctx) => {
      const seen = new Set<string>();
      checks.forEach((check, index) => {
        if (seen.has(check.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate check id ${check.id}` });
        seen.add(check.id);
      });
    }),
  timing: timingSchema,
  /** Sequence number of this beacon within the page's life (single-page apps send several). */
  seq: z.number().int().min(0).max(10_000),
  /** The embed script's own errors, caught so they never reach the host page. */
  errors: z.array(z.string().max(200)).max(5).optional(),
});

export type CheckResult = z.infer<typeof checkResultSchema>;
export type CollectTiming = z.infer<typeof timingSchema>;
export type CollectPayload = z.infer<typeof collectPayloadSchema>;
