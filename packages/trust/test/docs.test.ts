import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, test } from 'vitest';
import { ALL_REASON_CODES, DEFAULT_RULES, REASON_CODES, renderReasonTables } from '../src/index.js';
import { spliceReasonTables } from '../src/docs.js';

const path = fileURLToPath(new URL('../../../docs/signals.md', import.meta.url));
const doc = readFileSync(path, 'utf8');

/** Prettier pads table columns; compare contents, not spacing. */
async function formatted(text: string): Promise<string> {
  const options = (await prettier.resolveConfig(path)) ?? {};
  return prettier.format(text, { ...options, filepath: path });
}

function cells(code: string): string[] | undefined {
  const row = doc.split('\n').find((line) => line.startsWith(`| \`${code}\` `));
  return row
    ?.split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((c) => c.trim());
}

describe('docs/signals.md', () => {
  test('its reason-code tables match REASON_CODES and DEFAULT_RULES (else run `npm run docs:signals -w @tagward/trust`)', async () => {
    expect(await formatted(spliceReasonTables(doc))).toBe(await formatted(doc));
  });

  test.each(ALL_REASON_CODES)('documents %s with its default weight', (code) => {
    const row = cells(code);
    expect(row).toBeDefined();
    const info = REASON_CODES[code];
    const w = DEFAULT_RULES.weights[code as keyof typeof DEFAULT_RULES.weights];
    expect(row?.[1]).toBe(info.kind === 'hard' ? 'hard (score 0)' : w > 0 ? `+${w}` : `${w}`);
    expect(row?.[3]).toBe(info.forgery.replace(/\|/g, '\\|'));
  });

  test('the generated tables follow the rules they are given', () => {
    const tweaked = {
      ...DEFAULT_RULES,
      weights: { ...DEFAULT_RULES.weights, referrer_absent: -0.5 },
    };
    expect(renderReasonTables(tweaked)).toContain('| `referrer_absent` | -0.5 |');
  });
});
