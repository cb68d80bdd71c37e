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
