// Shared by the request-shape tests: which shape reasons fire for a request.
import { DEFAULT_RULES, deriveSignals, score, type ReasonCode } from '../../src/index.js';
import * as F from '../../fixtures/index.js';

export const SHAPE_CODES: ReasonCode[] = [
  'sec_fetch_missing',
  'sec_fetch_inconsistent',
  'client_hints_missing',
  'client_hints_mismatch',
  'ua_missing',
  'ua_http_library',
  'ua_automation',
  'ua_not_browser',
  'headers_library_fingerprint',
  'header_casing_atypical',
  'browser_headers_missing',
  'content_type_atypical',
  'header_duplicated',
];

export function firing(o: F.FactsOverrides, rules = DEFAULT_RULES): ReasonCode[] {
  return score(deriveSignals(F.facts(o)), rules)
    .reasons.map((r) => r.code)
    .filter((c) => SHAPE_CODES.includes(c));
}

export const beacon = (changes: Record<string, string | null>) => ({
  headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, changes),
});
