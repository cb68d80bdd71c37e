/**
 * ARCHITECTURE.md names files and folders so that a newcomer can open them: every path it names
 * must exist, or the map has drifted from the code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { findRepoRoot } from '@tagward/db';

const ROOT = findRepoRoot();
const TOP = ['apps', 'packages', 'docs', 'deploy', 'e2e'];

function namedPaths(): string[] {
  const text = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const quoted = [...text.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]!);
  return [...new Set(quoted.filter((q) => TOP.some((top) => q.startsWith(`${top}/`))))];
}

test('ARCHITECTURE.md names real paths, and plenty of them', () => {
  const paths = namedPaths();
  expect(paths.length).toBeGreaterThan(40);
  const missing = paths.filter((p) => !fs.existsSync(path.join(ROOT, p)));
  expect(missing).toEqual([]);
});
