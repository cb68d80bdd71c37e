import type { Verdict } from '@tagward/trust';
import type { ConfusionDto, LabelValue } from './dto.js';

/**
 * Precision and recall of a rules version against admin labels.
 *
 * Positive = an event labelled `fraud`. Predicted positive = verdict `fraud`, or `fraud` or
 * `suspect` when `includeSuspect` is on. precision = TP / (TP + FP), recall = TP / (TP + FN);
 * each is null when its denominator is 0 (nothing predicted positive / nothing labelled fraud),
 * rather than a made-up 0 or 1.
 */
export const METRICS_DEFINITION =
  'Positive = labelled fraud. Predicted positive = verdict fraud (or fraud or suspect, when "count suspect as fraud" is on). ' +
  'Precision = TP / (TP + FP): of the events the rules flagged, the share labelled fraud. ' +
  'Recall = TP / (TP + FN): of the events labelled fraud, the share the rules flagged.';

export interface LabelledVerdict {
  label: LabelValue;
  verdict: Verdict;
  /** How many events this row stands for (an aggregation group); 1 by default. */
  count?: number;
}

export function isPredictedPositive(verdict: Verdict, includeSuspect: boolean): boolean {
  return verdict === 'fraud' || (includeSuspect && verdict === 'suspect');
}

export function confusion(rows: Iterable<LabelledVerdict>, includeSuspect: boolean): ConfusionDto {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const row of rows) {
    const n = row.count ?? 1;
    const predicted = isPredictedPositive(row.verdict, includeSuspect);
    const actual = row.label === 'fraud';
    if (predicted && actual) tp += n;
    else if (predicted) fp += n;
    else if (actual) fn += n;
    else tn += n;
  }
  return {
    tp,
    fp,
    fn,
    tn,
    labeled: tp + fp + fn + tn,
    precision: tp + fp === 0 ? null : tp / (tp + fp),
    recall: tp + fn === 0 ? null : tp / (tp + fn),
  };
}
