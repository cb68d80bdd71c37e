/** A beacon's verdict, as the trust engine gives it. */
export type Verdict = 'trusted' | 'suspect' | 'fraud';

/** In the order the tables, charts and filters list them. */
export const VERDICTS: readonly Verdict[] = ['trusted', 'suspect', 'fraud'];

/** How a verdict is named in a sentence-case place (a filter option, a row heading). */
export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = { trusted: 'Trusted', suspect: 'Suspect', fraud: 'Fraud' };
