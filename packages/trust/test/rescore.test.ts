import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RULES,
  applyOverride,
  deriveSignals,
  rescore,
  score,
  type StoredEvent,
} from '../src/index.js';
import * as F from '../fixtures/index.js';

function stored(id: string, o: F.FactsOverrides): StoredEvent {
  const signals = deriveSignals(F.facts(o));
  return { id, signals, ...score(signals, DEFAULT_RULES) };
}

const EVENTS: StoredEvent[] = [
  stored('a-browser', {}),
  stored('b-browser-token', { token: F.VALID_TOKEN }),
  stored('c-no-referrer', { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Referer: null }) }),
  stored('d-headless', { headers: F.HEADLESS_CHROMIUM_SEND_BEACON }),
  stored('e-curl', { headers: F.CURL_FORGED_ORIGIN }),
  stored('f-firefox', { headers: F.FIREFOX_SEND_BEACON }),
];

describe('rescore', () => {
  test('the same rules change nothing', () => {
    const summary = rescore(EVENTS, DEFAULT_RULES);
    expect(summary.total).toBe(6);
    expect(summary.before).toEqual(summary.after);
    expect(summary.before).toEqual({ trusted: 4, suspect: 1, fraud: 1 });
    expect(summary.flipped).toBe(0);
    expect(summary.transitions).toEqual([]);
    expect(summary.sample).toEqual([]);
    expect(summary.reasonDeltas.every((d) => d.delta === 0)).toBe(true);
    expect(summary.meanScore.before).toBe(summary.meanScore.after);
  });

  test('requiring page tokens moves every tokenless event to fraud', () => {
    const strict = applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true } });
    const summary = rescore(EVENTS, strict);
    expect(summary.after).toEqual({ trusted: 1, suspect: 0, fraud: 5 });
    expect(summary.flipped).toBe(4);
    expect(summary.transitions).toEqual([
      { from: 'trusted', to: 'fraud', count: 3 },
      { from: 'suspect', to: 'fraud', count: 1 },
    ]);
    expect(summary.reasonDeltas[0]).toEqual({
      code: 'page_token_required',
      before: 0,
      after: 5,
      delta: 5,
    });
  });

  test('samples the largest score changes first, ties broken by id, with the new reasons', () => {
    const strict = applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true } });
    const summary = rescore(EVENTS, strict, { sampleSize: 3 });
    expect(summary.sample.map((s) => s.id)).toEqual(['a-browser', 'f-firefox', 'c-no-referrer']);
    expect(summary.sample[0]).toEqual({
      id: 'a-browser',
      before: { score: 0.7, verdict: 'trusted', reasons: [] },
      after: {
        score: 0,
        verdict: 'fraud',
        reasons: [
          {
            code: 'page_token_required',
            weight: -1,
            detail: 'a valid page token is required; the page carries no page token',
          },
        ],
      },
    });
  });

  test('a sample size of 0 keeps counts only', () => {
    const strict = applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true } });
    const summary = rescore(EVENTS, strict, { sampleSize: 0 });
    expect(summary.sample).toEqual([]);
    expect(summary.flipped).toBe(4);
  });

  test('loosening a weight reports the reason delta and the events that flip back', () => {
    const lenient = applyOverride(DEFAULT_RULES, { weights: { ua_automation: 0 } });
    const summary = rescore(EVENTS, lenient);
    expect(summary.transitions).toEqual([{ from: 'suspect', to: 'trusted', count: 1 }]);
    expect(summary.reasonDeltas[0]).toEqual({
      code: 'ua_automation',
      before: 1,
      after: 0,
      delta: -1,
    });
  });

  test('is deterministic whatever the order of the events', () => {
    const strict = applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true } });
    const forward = rescore(EVENTS, strict, { sampleSize: 2 });
    const backward = rescore([...EVENTS].reverse(), strict, { sampleSize: 2 });
    expect(backward).toEqual(forward);
  });

  test('an empty history gives an empty summary', () => {
    expect(rescore([], DEFAULT_RULES)).toEqual({
      total: 0,
      before: { trusted: 0, suspect: 0, fraud: 0 },
      after: { trusted: 0, suspect: 0, fraud: 0 },
      flipped: 0,
      transitions: [],
      sample: [],
      reasonDeltas: [],
      meanScore: { before: 0, after: 0 },
    });
  });

  test('the summary is JSON-safe', () => {
    const summary = rescore(
      EVENTS,
      applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true } }),
    );
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
});
