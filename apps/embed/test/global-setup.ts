// Builds the embed script once for every test file, into a temporary folder, so that the tests
// run the real bundle (turbo's `test` task depends on ^build only, not on this package's build)
// and never overwrite the dist/ that a running beacon may be serving.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildEmbed } from '../scripts/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    embedDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'tagward-embed-test-'));
  await buildEmbed({ outDir: dir, endpoint: '' });
  project.provide('embedDir', dir);
  return () => rm(dir, { recursive: true, force: true });
}
