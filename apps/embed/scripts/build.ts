// Builds the embed script in two variants, each one minified IIFE, content-hashed, with a
// stable alias of the same bytes and a source map:
//   core  tagward.<hash>.js      + v1.js      (budget EMBED_GZIP_BUDGET, the 2 KB)
//   spa   tagward-spa.<hash>.js  + v1-spa.js  (core + history API page views)
// and dist/manifest.json (names, SRI, sizes). Fails over either budget.
//
//   npm run build -w @tagward/embed     TAGWARD_ENDPOINT=https://t.example.com pins the beacon
//                                       origin (default: the origin the script is loaded from)
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { minify } from 'terser';
import {
  EMBED_DIST_DIR,
  EMBED_GZIP_BUDGET,
  EMBED_SPA_GZIP_BUDGET,
  type EmbedFile,
  type EmbedManifest,
} from '../src/manifest.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY = join(ROOT, 'src/core/main.ts');
export const DEFAULT_ATTEST_PATH = '/attest-v1.js';

/**
 * V8's explicit compile hint (Chrome 136+; other engines read a comment): compile every function
 * of the file eagerly, on the background thread that already parses the streamed script, instead
 * of lazily on the main thread at each function's first call. Every function of this script runs
 * on a page view (boot, load listener, timer, idle callback, checks, send), so nothing is compiled
 * in vain; on the 5,000-element benchmark page it takes about 1 ms of compilation off the main
 * thread on a first visit (docs/embed.md, "Main-thread cost"). 22 bytes of the gzip budget.
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';

export interface BuildOptions {
  /** Output folder; earlier hashed files in it are removed. Default: dist/. */
  outDir?: string;
  /** Beacon origin without a trailing slash; '' = the origin the script is loaded from. */
  endpoint?: string;
  /** Path of the attestation module on the script's origin. */
  attestPath?: string;
  /** gzip budgets in bytes. */
  budget?: number;
  spaBudget?: number;
}

export interface BuildResult {
  manifest: EmbedManifest;
  outDir: string;
}

interface Variant {
  name: string;
  alias: string;
  spa: boolean;
  budget: number;
}

/** The endpoint must be a bare origin: the script appends /v1/collect itself. */
function checkEndpoint(endpoint: string): string {
  if (endpoint === '') return endpoint;
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    // reported below
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.origin !== endpoint.replace(/\/$/, '')) {
    throw new Error(
      `TAGWARD_ENDPOINT must be an http(s) origin such as https://t.example.com, got ${JSON.stringify(endpoint)}`,
    );
  }
  return url.origin;
}

const sha = (algorithm: string, data: Uint8Array, encoding: 'hex' | 'base64') =>
  createHash(algorithm).update(data).digest(encoding);

async function buildVariant(
  v: Variant,
  define: Record<string, string>,
): Promise<{ meta: EmbedFile; code: Buffer; map: string }> {
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'iife',
    // Optional chaining and ?? stay native: Chrome 80, Firefox 74, Safari 15 and later.
    target: 'es2020',
    platform: 'browser',
    minify: true,
    legalComments: 'none',
    sourcemap: 'external',
    sourcesContent: true,
    // Map sources come out relative to dist/, where the map is served: ../src/core/*.ts.
    absWorkingDir: ROOT,
    outfile: join(ROOT, 'dist/tagward.js'),
    define: { ...define, __TAGWARD_SPA__: String(v.spa) },
    // No "use strict" prologue (13 bytes of the budget): the code does not rely on it.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    logLevel: 'silent',
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'));
  const esbuildMap = out.outputFiles.find((f) => f.path.endsWith('.js.map'));
  if (!js || !esbuildMap) throw new Error('esbuild produced no script or no source map');

  // esbuild bundles and minifies; terser's passes take about another 4 % off the gzip size.
  const min = await minify(js.text, {
    ecma: 2020,
    toplevel: true,
    // booleans_as_integers: the script's boolean literals only feed truthiness tests and a
    // WebIDL boolean (fetch's keepalive), where 1 and 0 mean the same.
    compress: {
      passes: 3,
      unsafe: true,
      unsafe_arrows: true,
      pure_getters: true,
      booleans_as_integers: true,
    },
    sourceMap: { content: esbuildMap.text, includeSources: true },
  });
  if (!min.code || typeof min.map !== 'string') throw new Error('terser produced no code or map');

  // No sourceMappingURL comment: its ~38 bytes gzip do not fit the budget. Servers link the
  // map with a `SourceMap: <map>` response header instead (docs/embed.md).
  // The hint must be the file's first line (before any code) to be honoured.
  const code = Buffer.from(`${COMPILE_HINT}${min.code.trimEnd()}\n`);
  const file = `${v.name}.${sha('sha256', code, 'hex').slice(0, 10)}.js`;
  const meta: EmbedFile = {
    file,
    alias: v.alias,
    map: `${file}.map`,
    sri: `sha384-${sha('sha384', code, 'base64')}`,
    bytes: {
      raw: code.length,
      gzip: gzipSync(code, { level: 9 }).length,
      brotli: brotliCompressSync(code, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
      }).length,
    },
  };
  if (meta.bytes.gzip > v.budget) {
    throw new Error(
      `${v.alias} is ${meta.bytes.gzip} bytes gzip, over its budget of ${v.budget} bytes`,
    );
  }
  // The map describes terser's output; the hint line in front of it moves the code to line 2.
  const map = JSON.parse(min.map) as { mappings: string };
  map.mappings = `;${map.mappings}`;
  return { meta, code, map: JSON.stringify(map) };
}

export async function buildEmbed(options: BuildOptions = {}): Promise<BuildResult> {
  const outDir = options.outDir ?? EMBED_DIST_DIR;
  const endpoint = checkEndpoint(options.endpoint ?? process.env.TAGWARD_ENDPOINT ?? '');
  const attestPath = options.attestPath ?? process.env.TAGWARD_ATTEST_PATH ?? DEFAULT_ATTEST_PATH;
  if (!/^\/[\w./-]*$/.test(attestPath)) {
    throw new Error(
      `the attest path must be an absolute path such as /attest-v1.js: ${attestPath}`,
    );
  }
  const define = {
    __TAGWARD_ENDPOINT__: JSON.stringify(endpoint),
    __TAGWARD_ATTEST_PATH__: JSON.stringify(attestPath),
  };
  const variants: Variant[] = [
    { name: 'tagward', alias: 'v1.js', spa: false, budget: options.budget ?? EMBED_GZIP_BUDGET },
    {
      name: 'tagward-spa',
      alias: 'v1-spa.js',
      spa: true,
      budget: options.spaBudget ?? EMBED_SPA_GZIP_BUDGET,
    },
  ];
  const built = await Promise.all(variants.map((v) => buildVariant(v, define)));

  await mkdir(outDir, { recursive: true });
  // Old hashed files would otherwise pile up (and be served forever with immutable caching).
  for (const name of await readdir(outDir)) {
    if (/^tagward(-spa)?\.[0-9a-f]{10}\.js(\.map)?$/.test(name)) await rm(join(outDir, name));
  }
  for (const { meta, code, map } of built) {
    await writeFile(join(outDir, meta.file), code);
    await writeFile(join(outDir, meta.alias), code);
    await writeFile(join(outDir, meta.map), map);
  }
  await buildAttestModule(outDir);
  const [core, spa] = built.map((b) => b.meta) as [EmbedFile, EmbedFile];
  const manifest: EmbedManifest = { ...core, spa };
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, outDir };
}

/**
 * The attestation experiment's module, loaded by the core only for page views in the cohort, from
 * the stable path the core was built with (`attest-v1.js`). Not counted in the core's budget.
 */
async function buildAttestModule(outDir: string): Promise<void> {
  const result = await build({
    entryPoints: [createRequire(import.meta.url).resolve('@tagward/attest/embed-module')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    write: false,
    legalComments: 'none',
  });
  const code = result.outputFiles[0]!.contents;
  await writeFile(join(outDir, 'attest-v1.js'), code);
  console.log(`attest module: attest-v1.js, raw ${code.length} B, gzip ${gzipSync(code).length} B`);
}

function printFile(label: string, f: EmbedFile, budget: number): void {
  const pct = ((f.bytes.gzip / budget) * 100).toFixed(1);
  console.log(`${label}: ${f.file} (alias ${f.alias}, map ${f.map})`);
  console.log(
    `  raw ${f.bytes.raw} B, gzip ${f.bytes.gzip} B (budget ${budget} B, ${pct}%), brotli ${f.bytes.brotli} B`,
  );
  console.log(`  sri ${f.sri}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildEmbed().then(
    ({ manifest, outDir }) => {
      console.log(`embed build -> ${outDir}`);
      printFile('core', manifest, EMBED_GZIP_BUDGET);
      printFile('spa ', manifest.spa, EMBED_SPA_GZIP_BUDGET);
    },
    (e: unknown) => {
      console.error(`embed build failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
