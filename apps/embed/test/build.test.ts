// The build: what lands in dist/, what the manifest says about it, and the size budget.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { COLLECT_PATH } from '@tagward/protocol';
import { COMPILE_HINT, buildEmbed } from '../scripts/build.js';
import {
  EMBED_GZIP_BUDGET,
  EMBED_SPA_GZIP_BUDGET,
  readEmbedManifest,
  type EmbedFile,
} from '../src/manifest.js';

const dir = inject('embedDir');
const manifest = readEmbedManifest(dir);
const temps: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'tagward-embed-build-'));
  temps.push(d);
  return d;
};
afterAll(async () => {
  for (const d of temps) await rm(d, { recursive: true, force: true });
});

describe.each([
  ['core', manifest as EmbedFile, EMBED_GZIP_BUDGET],
  ['spa', manifest.spa, EMBED_SPA_GZIP_BUDGET],
] as const)('the %s script', (_name, file, budget) => {
  test('is described truthfully by the manifest', async () => {
    const bytes = await readFile(join(dir, file.file));
    expect(await readFile(join(dir, file.alias))).toEqual(bytes);
    expect(file.sri).toBe(`sha384-${createHash('sha384').update(bytes).digest('base64')}`);
    expect(file.bytes.raw).toBe(bytes.length);
    expect(file.bytes.gzip).toBe(gzipSync(bytes, { level: 9 }).length);
    expect(file.file).toMatch(
      new RegExp(`^${file.alias === 'v1.js' ? 'tagward' : 'tagward-spa'}\\.[0-9a-f]{10}\\.js$`),
    );
  });

  test('fits its gzip budget', () => {
    expect(file.bytes.gzip).toBeLessThanOrEqual(budget);
  });

  test('is one IIFE with no eval, no zod and the protocol collect path', async () => {
    const code = await readFile(join(dir, file.file), 'utf8');
    // V8's compile hint first (scripts/build.ts), then the IIFE.
    expect(code.startsWith(`${COMPILE_HINT}(()=>{`)).toBe(true);
    expect(code.trimEnd().endsWith('})();')).toBe(true);
    expect(code).not.toMatch(/\beval\(|new Function|\bzod\b|\bimport\(|\brequire\(/);
    expect(code).toContain(`"${COLLECT_PATH}"`);
  });

  test('has a source map of the real sources', async () => {
    const map = JSON.parse(await readFile(join(dir, file.map), 'utf8')) as {
      sources: string[];
      sourcesContent: string[];
    };
    expect(map.sources.some((s) => s.endsWith('src/core/main.ts'))).toBe(true);
    expect(map.sources.some((s) => s.endsWith('src/core/checks.ts'))).toBe(true);
    expect(map.sourcesContent.every((c) => c.length > 0)).toBe(true);
  });

  test('maps the code, which starts on line 2 after the compile hint', async () => {
    const map = JSON.parse(await readFile(join(dir, file.map), 'utf8')) as { mappings: string };
    const lines = map.mappings.split(';');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('');
    expect(lines[1]!.length).toBeGreaterThan(0);
  });
});

test('only the SPA variant patches the history API', async () => {
  const core = await readFile(join(dir, manifest.file), 'utf8');
  const spa = await readFile(join(dir, manifest.spa.file), 'utf8');
  expect(core).not.toContain('pushState');
  expect(spa).toContain('pushState');
});

describe('build options', () => {
  test('the endpoint is injected at build time', async () => {
    const out = await tempDir();
    const { manifest: m } = await buildEmbed({ outDir: out, endpoint: 'https://t.example.com/' });
    const code = await readFile(join(out, m.file), 'utf8');
    expect(code).toContain('https://t.example.com');
    expect(m.file).not.toBe(manifest.file);
  });

  test.each(['https://t.example.com/collect', 'ftp://t.example.com', 'not a url', 'https://'])(
    'refuses the endpoint %j',
    async (endpoint) => {
      await expect(buildEmbed({ outDir: await tempDir(), endpoint })).rejects.toThrow(
        /TAGWARD_ENDPOINT must be an http\(s\) origin/,
      );
    },
  );

  test('fails over the budget, naming the sizes', async () => {
    await expect(
      buildEmbed({ outDir: await tempDir(), endpoint: '', budget: 1500 }),
    ).rejects.toThrow(/v1\.js is \d+ bytes gzip, over its budget of 1500 bytes/);
  });

  test('a rebuild leaves no stale hashed files behind', async () => {
    const out = await tempDir();
    await buildEmbed({ outDir: out, endpoint: 'https://a.example.com' });
    const { manifest: m } = await buildEmbed({ outDir: out, endpoint: 'https://b.example.com' });
    const names = (await readdir(out)).sort();
    expect(names).toEqual(
      [m.file, m.map, m.alias, m.spa.file, m.spa.map, m.spa.alias, 'attest-v1.js', 'manifest.json'].sort(),
    );
  });
});

describe('readEmbedManifest', () => {
  test('says how to build when there is no build', async () => {
    expect(() => readEmbedManifest(join(tmpdir(), 'no-such-embed-dist'))).toThrow(
      /npm run build -w @tagward\/embed/,
    );
  });

  test.each([
    ['not JSON', 'nope'],
    ['no spa variant', JSON.stringify({ ...manifest, spa: undefined })],
    ['a path as file name', JSON.stringify({ ...manifest, file: '../etc/passwd' })],
    ['a bad SRI', JSON.stringify({ ...manifest, sri: 'sha256-abc' })],
  ])('refuses a manifest with %s', async (_what, text) => {
    const out = await tempDir();
    await writeFile(join(out, 'manifest.json'), text);
    expect(() => readEmbedManifest(out)).toThrow(/embed manifest/);
  });
});
