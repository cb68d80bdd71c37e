import { fromLocalInput, toLocalInput } from './format';

export type Preset = '24h' | '7d' | '30d' | 'custom';

export interface RangeValue {
  preset: Preset;
  /** ISO instants, only for the custom preset. */
  from: string | null;
  to: string | null;
  includeSuspect: boolean;
}

/** The range picker's state lives in the URL, so a view can be bookmarked and shared. */
export function rangeFromQuery(query: URLSearchParams): RangeValue {
  const raw = query.get('range');
  const preset = raw === '7d' || raw === '30d' || raw === 'custom' ? raw : '24h';
  return {
    preset,
    from: preset === 'custom' ? query.get('from') : null,
    to: preset === 'custom' ? query.get('to') : null,
    includeSuspect: query.get('suspect') !== '0',
  };
}

export function rangeToQuery(value: RangeValue, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const query = new URLSearchParams(base);
  for (const key of ['range', 'from', 'to', 'suspect']) query.delete(key);
  if (value.preset !== '24h') query.set('range', value.preset);
  if (value.preset === 'custom' && value.from && value.to) {
    query.set('from', value.from);
    query.set('to', value.to);
  }
  if (!value.includeSuspect) query.set('suspect', '0');
  return query;
}

/**
 * The stats API's range input. A custom range without both ends (a hand-edited URL) falls back
 * to the last 24 hours rather than asking the API for a range it would refuse.
 */
export function rangeInput(value: RangeValue): { preset: Exclude<Preset, 'custom'> } | { preset: 'custom'; from: string; to: string } {
  if (value.preset !== 'custom') return { preset: value.preset };
  return value.from && value.to ? { preset: 'custom', from: value.from, to: value.to } : { preset: '24h' };
}

/** What a custom range's inputs show before anyone types: the last three days. */
export function defaultCustomInputs(now: number = Date.now()): { from: string; to: string } {
  return { from: toLocalInput(new Date(now - 3 * 86_400_000).toISOString()), to: toLocalInput(new Date(now).toISOString()) };
}

/** Said when a custom range's inputs give no range (`customRange` returned null). */
export const CUSTOM_RANGE_ERROR = 'Pick a start before the end.';

/**
 * The custom range typed in the `datetime-local` inputs, as ISO instants; null unless both
 * ends are set and the start comes before the end.
 */
export function customRange(fromText: string, toText: string): { from: string; to: string } | null {
  const from = fromLocalInput(fromText);
  const to = fromLocalInput(toText);
  return from && to && Date.parse(from) < Date.parse(to) ? { from, to } : null;
}
