import type { Database } from '@tagward/db';
import type { Verdict } from '@tagward/trust';
import { Types } from 'mongoose';
import { VERDICTS } from './backtest-summary.js';
import type { ShadowCellDto, ShadowComparisonDto, ShadowEventDto } from './dto.js';
import { GLOBAL_SCOPE, findDraft } from './rules.js';

/**
 * Shadow mode compares, on the same incoming beacons, the live verdict with the one the global
 * draft would have given (the beacon stores it as `shadow` on the event; it never changes the
 * verdict). The agreement matrix is one `$group` over the window; the disagreement samples are
 * one small query per off-diagonal cell, each on the sparse shadow index.
 */

const SAMPLES_PER_CELL = 5;

interface SampleRow {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  receivedAt: Date;
  page?: { path?: string };
  score: number;
  verdict: unknown;
  reasons?: unknown;
  shadow?: unknown;
}

function asVerdict(value: unknown): Verdict | null {
  return value === 'trusted' || value === 'suspect' || value === 'fraud' ? value : null;
}

function reasonCodes(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((r) => (typeof r === 'object' && r !== null ? String((r as { code?: unknown }).code ?? '') : '')).filter(Boolean);
}

export async function compareShadow(
  db: Database,
  window: { from: Date; to: Date; version?: number },
): Promise<ShadowComparisonDto> {
  // Only events scored in shadow mode have `shadow.version`: the sparse index holds just those.
  const match = { 'shadow.version': { $gte: 0 }, receivedAt: { $gte: window.from, $lt: window.to } };
  const groups = await db.models.Event.aggregate<{ _id: { live: unknown; shadow: unknown; version: unknown }; n: number }>([
    { $match: match },
    { $group: { _id: { live: '$verdict', shadow: '$shadow.verdict', version: '$shadow.version' }, n: { $sum: 1 } } },
  ]);
  const perVersion = new Map<number, number>();
  for (const g of groups) {
    if (typeof g._id.version !== 'number') continue;
    perVersion.set(g._id.version, (perVersion.get(g._id.version) ?? 0) + g.n);
  }
  const versions = [...perVersion].map(([version, events]) => ({ version, events })).sort((a, b) => b.version - a.version);
  const draft = await findDraft(db, GLOBAL_SCOPE);
  const activeVersion = draft?.shadow ? draft.version : null;
  const version = window.version ?? activeVersion ?? versions[0]?.version ?? null;

  const cells = new Map<string, number>();
  for (const g of groups) {
    const live = asVerdict(g._id.live);
    const shadow = asVerdict(g._id.shadow);
    if (!live || !shadow || g._id.version !== version) continue;
    cells.set(`${live}>${shadow}`, (cells.get(`${live}>${shadow}`) ?? 0) + g.n);
  }
  const matrix: ShadowCellDto[] = [];
  let total = 0;
  let agree = 0;
  for (const live of VERDICTS) {
    for (const shadow of VERDICTS) {
      const count = cells.get(`${live}>${shadow}`) ?? 0;
      matrix.push({ live, shadow, count });
      total += count;
      if (live === shadow) agree += count;
    }
  }

  const disagreements: ShadowEventDto[] = [];
  if (version !== null) {
    const offDiagonal = matrix.filter((c) => c.live !== c.shadow && c.count > 0);
    const rows = (
      await Promise.all(
        offDiagonal.map((cell) =>
          db.models.Event.find(
            { ...match, verdict: cell.live, 'shadow.verdict': cell.shadow, 'shadow.version': version },
            { siteId: 1, receivedAt: 1, 'page.path': 1, score: 1, verdict: 1, reasons: 1, shadow: 1 },
          )
            .sort({ receivedAt: -1 })
            .limit(SAMPLES_PER_CELL)
            .lean() as Promise<SampleRow[]>,
        ),
      )
    ).flat();
    const siteIds = [...new Set(rows.map((r) => String(r.siteId)))];
    const sites = siteIds.length
      ? await db.models.Site.find({ _id: { $in: siteIds.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean()
      : [];
    const names = new Map(sites.map((s) => [String(s._id), s.name]));
    for (const row of rows) {
      const shadow = (row.shadow ?? {}) as { score?: unknown; verdict?: unknown; reasons?: unknown };
      disagreements.push({
        id: String(row._id),
        siteId: String(row.siteId),
        siteName: names.get(String(row.siteId)) ?? String(row.siteId),
        receivedAt: row.receivedAt.toISOString(),
        path: row.page?.path ?? '',
        live: { score: row.score, verdict: asVerdict(row.verdict) ?? 'suspect', reasons: reasonCodes(row.reasons) },
        shadow: {
          score: typeof shadow.score === 'number' ? shadow.score : 0,
          verdict: asVerdict(shadow.verdict) ?? 'suspect',
          reasons: reasonCodes(shadow.reasons),
        },
      });
    }
  }

  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    versions,
    version,
    activeVersion,
    total,
    agreement: total === 0 ? null : agree / total,
    matrix,
    disagreements,
  };
}
