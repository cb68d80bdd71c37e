/** Formatting shared by the pages; kept pure so it is unit-tested. */

const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return integer.format(n);
}

export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return `${Math.round(ratio * 1000) / 10}%`;
}

export function formatScore(score: number): string {
  return score.toFixed(2);
}

/** Signed weight: "+0.30", "−0.60" (a real minus sign, read correctly by screen readers). */
export function formatWeight(weight: number): string {
  const abs = Math.abs(weight).toFixed(2);
  return weight < 0 ? `\u2212${abs}` : `+${abs}`;
}

export function formatDateTime(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'medium',
    timeZone,
  }).format(new Date(iso));
}

/** Axis label for a bucket: "14:00" for hours (with the day at midnight), "12 Nov" for days. */
export function formatBucket(iso: string, granularity: 'hour' | 'day', timeZone?: string): string {
  const date = new Date(iso);
  if (granularity === 'day') {
    // Day buckets are UTC days: label them in UTC, or a bucket would show the previous date.
    return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
  }
  return new Intl.DateTimeFormat('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone }).format(date);
}

/** `datetime-local` input value <-> ISO string, in the browser's time zone. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
