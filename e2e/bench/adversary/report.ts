// The class × verdict table, the top reasons per class, and the bench's last line.
import type { Database } from '@tagward/db';
import type { Outcome } from './forge.js';

export type Kind = 'legit' | 'forged' | 'residual';
export type Fate = 'trusted' | 'suspect' | 'fraud' | 'refused' | 'deduplicated' | 'lost';
const FATES: Fate[] = ['trusted', 'suspect', 'fraud', 'refused', 'deduplicated', 'lost'];

export interface ClassResult {
  name: string;
  kind: Kind;
  fates: Record<Fate, number>;
  total: number;
  reasons: Map<string, number>;
  /** Token ages (ms) of the stored events that carried a token, sorted. */
  tokenAges: number[];
  /** HTTP statuses of the beacons counted as lost (for the log). */
  lostStatuses: number[];
}

/** Looks every outcome up in the events collection: verdict and reasons as stored. */
export async function judge(db: Database, name: string, kind: Kind, outcomes: Outcome[]): Promise<ClassResult> {
  const ids = outcomes.map((o) => o.id).filter((id): id is string => id !== null);
  const events = await db.models.Event.find({ eventId: { $in: ids } }, { eventId: 1, verdict: 1, reasons: 1, signals: 1 }).lean();
  const byId = new Map(events.map((e) => [e.eventId, e]));
  const fates = Object.fromEntries(FATES.map((f) => [f, 0])) as Record<Fate, number>;
  const reasons = new Map<string, number>();
  const tokenAges: number[] = [];
  const lostStatuses: number[] = [];
  for (const o of outcomes) {
    const event = o.id === null ? undefined : byId.get(o.id);
    let fate: Fate;
    if (o.duplicateOf !== undefined && o.status === 200) fate = 'deduplicated';
    else if (o.status !== 200) fate = kind === 'legit' && o.status <= 0 ? 'lost' : 'refused';
    else if (!event) fate = 'lost';
    else fate = event.verdict;
    fates[fate] += 1;
    if (fate === 'lost') lostStatuses.push(o.status);
    if (!event || o.duplicateOf !== undefined) continue;
    for (const r of event.reasons) reasons.set(r.code, (reasons.get(r.code) ?? 0) + 1);
    const age = (event.signals as { token?: { ageMs?: number | null } } | undefined)?.token?.ageMs;
    if (typeof age === 'number') tokenAges.push(age);
  }
  tokenAges.sort((a, b) => a - b);
  return { name, kind, fates, total: outcomes.length, reasons, tokenAges, lostStatuses };
}

const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((1000 * n) / of) / 10);
/** Legitimate classes: the share trusted. Forged ones: the share suspect, fraud or refused. */
export function goalPct(c: ClassResult): number {
  if (c.kind === 'forged') return pct(c.total - c.fates.trusted - c.fates.lost, c.total);
  return pct(c.fates.trusted, c.total);
}

function topReasons(c: ClassResult): string {
  return [...c.reasons.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, 3)
    .map(([code, n]) => `${code} ${pct(n, c.total)}%`)
    .join(', ');
}

export function renderTable(results: ClassResult[]): string {
  const head = ['class', 'kind', 'n', ...FATES, 'goal', 'token age ms min/p50', 'top reasons'];
  const rows = results.map((c) => [
    c.name,
    c.kind,
    String(c.total),
    ...FATES.map((f) => `${pct(c.fates[f], c.total)}%`),
    `${goalPct(c)}%${c.kind === 'legit' ? (goalPct(c) >= 99.5 ? ' ok' : ' MISS') : c.kind === 'forged' ? (goalPct(c) >= 95 ? ' ok' : ' MISS') : ''}`,
    c.tokenAges.length ? `${c.tokenAges[0]}/${c.tokenAges[Math.floor(c.tokenAges.length / 2)]}` : '-',
    topReasons(c) || '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((x, i) => (i === cells.length - 1 ? x : x.padEnd(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** `bench adversary: legit_trusted_pct=… worst_legit=… forged_flagged_pct=… worst_forged=… residual=…` */
export function lastLine(results: ClassResult[]): string {
  const of = (kind: Kind) => results.filter((c) => c.kind === kind);
  const sum = (cs: ClassResult[], f: (c: ClassResult) => number) => cs.reduce((a, c) => a + f(c), 0);
  const worst = (cs: ClassResult[]) => cs.reduce<ClassResult | undefined>((w, c) => (!w || goalPct(c) < goalPct(w) ? c : w), undefined);
  const legit = of('legit');
  const forged = of('forged');
  const wl = worst(legit);
  const wf = worst(forged);
  return [
    'bench adversary:',
    `legit_trusted_pct=${pct(sum(legit, (c) => c.fates.trusted), sum(legit, (c) => c.total))}`,
    `worst_legit=${wl ? `${wl.name}:${goalPct(wl)}` : 'none'}`,
    `forged_flagged_pct=${pct(sum(forged, (c) => c.total - c.fates.trusted - c.fates.lost), sum(forged, (c) => c.total))}`,
    `worst_forged=${wf ? `${wf.name}:${goalPct(wf)}` : 'none'}`,
    `residual=${of('residual').map((c) => `${c.name}:${goalPct(c)}`).join(',') || 'none'}`,
  ].join(' ');
}
