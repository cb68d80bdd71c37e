// docs/embed.md documents every DOM check: its table lists exactly CHECK_IDS, in their order.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { CHECK_IDS } from '@tagward/protocol';

const doc = readFileSync(new URL('../../../docs/embed.md', import.meta.url), 'utf8');

test('the check table of docs/embed.md lists CHECK_IDS in order', () => {
  const section = doc.slice(doc.indexOf('## The DOM checks'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| id ')));
  const ids = [...table.matchAll(/^\| `([a-z0-9_]+)` /gm)].map((m) => m[1]);
  expect(ids).toEqual(CHECK_IDS);
});
