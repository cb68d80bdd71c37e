import { TRPCClientError } from '@trpc/client';
import type { RouterOutputs } from '$lib/trpc';

/**
 * The rules editor's form model. One shape serves the global rules (every field set) and a site
 * override (a field left empty inherits the global value). The form never validates by itself:
 * the API validates with the trust engine's schema and answers field errors keyed by their path
 * (`weights.origin_missing`, `hard.blockIps.2`), which `errorsAt` puts beside each input.
 */

export type RulesState = RouterOutputs['moderation']['rules'];
export type GlobalState = Extract<RulesState, { kind: 'global' }>;
export type OverrideState = Extract<RulesState, { kind: 'override' }>;
export type Rules = GlobalState['liveRules'];
export type RulesOverride = NonNullable<OverrideState['liveRules']>;
export type FieldErrors = Record<string, string[] | undefined>;

export type TriState = 'inherit' | 'yes' | 'no';

export interface RulesForm {
  base: number | null;
  trusted: number | null;
  suspect: number | null;
  weights: Record<string, number | null>;
  minTokenAgeMs: number | null;
  toleranceMs: number | null;
  burstPerMinute: number | null;
  minIntervals: number | null;
  regularCv: number | null;
  expectedContentTypes: string;
  pageTokenRequired: TriState;
  blockIps: string;
  blockUserAgents: string;
  blockOrigins: string;
}

/** Number inputs give null (or undefined) when empty; both mean "not set". */
const num = (value: number | null | undefined): number | null => (value === null || value === undefined || Number.isNaN(value) ? null : value);

export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

export function formFromRules(rules: Rules): RulesForm {
  return {
    base: rules.base,
    trusted: rules.thresholds.trusted,
    suspect: rules.thresholds.suspect,
    weights: { ...rules.weights },
    minTokenAgeMs: rules.timing.minTokenAgeMs,
    toleranceMs: rules.timing.toleranceMs,
    burstPerMinute: rules.cadence.burstPerMinute,
    minIntervals: rules.cadence.minIntervals,
    regularCv: rules.cadence.regularCv,
    expectedContentTypes: rules.shape.expectedContentTypes.join('\n'),
    pageTokenRequired: rules.hard.pageTokenRequired ? 'yes' : 'no',
    blockIps: rules.hard.blockIps.join('\n'),
    blockUserAgents: rules.hard.blockUserAgents.join('\n'),
    blockOrigins: rules.hard.blockOrigins.join('\n'),
  };
}

export function formFromOverride(override: RulesOverride | null): RulesForm {
  const o = override ?? {};
  const weights: Record<string, number | null> = {};
  for (const [code, weight] of Object.entries(o.weights ?? {})) weights[code] = num(weight);
  return {
    base: num(o.base),
    trusted: num(o.thresholds?.trusted),
    suspect: num(o.thresholds?.suspect),
    weights,
    minTokenAgeMs: num(o.timing?.minTokenAgeMs),
    toleranceMs: num(o.timing?.toleranceMs),
    burstPerMinute: num(o.cadence?.burstPerMinute),
    minIntervals: num(o.cadence?.minIntervals),
    regularCv: num(o.cadence?.regularCv),
    expectedContentTypes: (o.shape?.expectedContentTypes ?? []).join('\n'),
    pageTokenRequired: o.hard?.pageTokenRequired === undefined ? 'inherit' : o.hard.pageTokenRequired ? 'yes' : 'no',
    blockIps: (o.hard?.blockIps ?? []).join('\n'),
    blockUserAgents: (o.hard?.blockUserAgents ?? []).join('\n'),
    blockOrigins: (o.hard?.blockOrigins ?? []).join('\n'),
  };
}

/** The form for what the editor opens: the draft if there is one, else the rules in force. */
export function formOfState(state: RulesState): RulesForm {
  return state.kind === 'global' ? formFromRules(state.draftRules ?? state.liveRules) : formFromOverride(state.draftRules ?? state.liveRules);
}

/**
 * The global rules as the form describes them. Empty numbers are sent as missing, so the API's
 * schema reports them beside their field ("expected number") rather than the form guessing.
 */
export function rulesFromForm(form: RulesForm, original: Rules): Record<string, unknown> {
  const weights: Record<string, number> = {};
  for (const [code, weight] of Object.entries(form.weights)) if (num(weight) !== null) weights[code] = weight as number;
  return {
    schema: original.schema,
    version: original.version,
    base: num(form.base) ?? undefined,
    thresholds: { trusted: num(form.trusted) ?? undefined, suspect: num(form.suspect) ?? undefined },
    weights,
    // Settings the form has no field for (timing ranges, the short burst windows) are kept as
    // they are in force, so publishing from the form never resets them.
    timing: { ...original.timing, minTokenAgeMs: num(form.minTokenAgeMs) ?? undefined, toleranceMs: num(form.toleranceMs) ?? undefined },
    cadence: {
      ...original.cadence,
      burstPerMinute: num(form.burstPerMinute) ?? undefined,
      minIntervals: num(form.minIntervals) ?? undefined,
      regularCv: num(form.regularCv) ?? undefined,
    },
    shape: { expectedContentTypes: lines(form.expectedContentTypes) },
    hard: {
      pageTokenRequired: form.pageTokenRequired === 'yes',
      blockIps: lines(form.blockIps),
      blockUserAgents: lines(form.blockUserAgents),
      blockOrigins: lines(form.blockOrigins),
    },
  };
}

/** Only what the form sets: an empty field inherits, so it is left out of the override. */
export function overrideFromForm(form: RulesForm): Record<string, unknown> {
  const pick = (entries: Array<[string, number | null]>): Record<string, number> | undefined => {
    const out: Record<string, number> = {};
    for (const [key, value] of entries) if (num(value) !== null) out[key] = value as number;
    return Object.keys(out).length ? out : undefined;
  };
  const override: Record<string, unknown> = {};
  if (num(form.base) !== null) override.base = form.base;
  const thresholds = pick([
    ['trusted', form.trusted],
    ['suspect', form.suspect],
  ]);
  if (thresholds) override.thresholds = thresholds;
  const weights = pick(Object.entries(form.weights));
  if (weights) override.weights = weights;
  const timing = pick([
    ['minTokenAgeMs', form.minTokenAgeMs],
    ['toleranceMs', form.toleranceMs],
  ]);
  if (timing) override.timing = timing;
  const cadence = pick([
    ['burstPerMinute', form.burstPerMinute],
    ['minIntervals', form.minIntervals],
    ['regularCv', form.regularCv],
  ]);
  if (cadence) override.cadence = cadence;
  if (lines(form.expectedContentTypes).length) override.shape = { expectedContentTypes: lines(form.expectedContentTypes) };
  const hard: Record<string, unknown> = {};
  if (form.pageTokenRequired !== 'inherit') hard.pageTokenRequired = form.pageTokenRequired === 'yes';
  for (const key of ['blockIps', 'blockUserAgents', 'blockOrigins'] as const) if (lines(form[key]).length) hard[key] = lines(form[key]);
  if (Object.keys(hard).length) override.hard = hard;
  return override;
}

/**
 * The messages for one field: its own, and those of its list items (`hard.blockIps.2` becomes
 * "line 3: …", the line of the textarea the admin typed it on).
 */
export function errorsAt(errors: FieldErrors, path: string): string[] {
  const out: string[] = [];
  for (const [key, messages] of Object.entries(errors)) {
    if (!messages?.length) continue;
    if (key === path) out.push(...messages);
    else if (key.startsWith(`${path}.`)) {
      const rest = key.slice(path.length + 1);
      const line = /^\d+$/.test(rest) ? `line ${Number(rest) + 1}: ` : `${rest}: `;
      out.push(...messages.map((m) => line + m));
    }
  }
  return out;
}

/**
 * The API's validation errors keyed by field path (`thresholds.trusted`), or null for any other
 * failure. Errors about the whole rules object are kept under ''.
 */
export function fieldErrorsOf(e: unknown): FieldErrors | null {
  if (!(e instanceof TRPCClientError)) return null;
  const data = e.data as { zodError?: { fieldErrors?: FieldErrors; formErrors?: string[] } | null } | undefined;
  if (!data?.zodError) return null;
  const errors: FieldErrors = { ...(data.zodError.fieldErrors ?? {}) };
  if (data.zodError.formErrors?.length) errors[''] = data.zodError.formErrors;
  return errors;
}

/** Field errors that no input on the form shows (so none is lost). */
export function unplacedErrors(errors: FieldErrors, placed: string[]): string[] {
  return Object.entries(errors)
    .filter(([key]) => !placed.some((path) => key === path || key.startsWith(`${path}.`)))
    .flatMap(([key, messages]) => (messages ?? []).map((m) => `${key}: ${m}`));
}

/** Same content? (Used for "unsaved changes".) */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
