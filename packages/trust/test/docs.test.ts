import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ALL_REASON_CODES, DEFAULT_RULES, REASON_CODES, renderReasonTables } from '../src/index.js';
import { spliceReasonTables } from '../src/docs.js';

const doc = readFileSync(new URL('../../../docs/signals.md', import.meta.url), 'utf8');

describe('docs/signals.md', () => {
  test('its reason-code tables match REASON_CODES and DEFAULT_RULES (run `npm run docs:signals -w @tagward/trust`)', () => {
    expect(spliceReasonTables(doc)).toBe(doc);
  });

  test.each(ALL_REASON_CODES)('documents %s with its default weight', (code) => {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    expect(row).toBeDefined();
    const info = REASON_CODES[code];
    const w = DEFAULT_RULES.weights[code as keyof typeof DEFAULT_RULES.weights];
    const weight = info.kind === 'hard' ? 'hard (score 0)' : w > 0 ? `+${w}` : `${w}`;
    expect(row).toContain(`| ${weight} |`);
    expect(row).toContain(info.forgery.slice(0, 20));
  });

  test('the generated tables follow the rules they are given', () => {
    const tweaked = { ...DEFAULT_RULES, weights: { ...DEFAULT_RULES.weights, referrer_absent: -0.5 } };
    expect(renderReasonTables(tweaked)).toContain('| `referrer_absent` | -0.5 |');
  });
});
