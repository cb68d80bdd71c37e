// Node-only entry of @tagward/embed: where the built script lives and what it is, so that the
// beacon can serve it and the dashboard can print the snippet with its SRI hash. The browser
// source is src/core/ and never imports this file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type {
  AttestProvider,
  TagwardBeaconDetail,
  TagwardCommand,
  TagwardQueue,
} from './core/api.js';

/** Folder of the build output: hashed scripts, source maps, aliases, `manifest.json`. */
export const EMBED_DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url));

/** gzip budget of the core script in bytes; the build fails above it. */
export const EMBED_GZIP_BUDGET = 2048;
/** gzip budget of the single-page-app variant (core + history API hooks). */
export const EMBED_SPA_GZIP_BUDGET = 2200;

/** Whether `name` is a content-hashed build output: one of the two variants or its source map. */
export const isHashedEmbedFile = (name: string): boolean =>
  /^tagward(-spa)?\.[0-9a-f]{10}\.js(\.map)?$/.test(name);

/**
 * `Cache-Control` for a file of the build, as the CDN serves it. A content-hashed name never
 * changes its bytes, so browsers keep it a year, and Chromium keeps V8's compiled code beside it
 * (a visitor's later page views of a site skip compiling the script); an alias (`v1.js`,
 * `v1-spa.js`, `attest-v1.js`) is kept five minutes, so that a release reaches every page quickly.
 */
export const embedCacheControl = (name: string): string =>
  isHashedEmbedFile(name) ? 'public, max-age=31536000, immutable' : 'public, max-age=300';

/** One built script. */
export interface EmbedFile {
  /** Content-hashed name, e.g. `tagward.3f9a1c2b7d.js`: serve with an immutable long cache. */
  file: string;
  /** Stable alias with the same bytes, e.g. `v1.js`: serve with a short cache. */
  alias: string;
  /** Source map of `file`: link it with a `SourceMap: <map>` response header. */
  map: string;
  /** Subresource Integrity value of both `file` and `alias` (`sha384-…`). */
  sri: string;
  /** Size of the served script. */
  bytes: { raw: number; gzip: number; brotli: number };
}

/** What `dist/manifest.json` holds: the core script, plus the single-page-app variant. */
export interface EmbedManifest extends EmbedFile {
  spa: EmbedFile;
}

const plainName = (x: unknown): x is string => typeof x === 'string' && /^[\w.-]+$/.test(x);
const isSize = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x > 0;

function readFile(x: unknown): EmbedFile | undefined {
  const f = x as Partial<EmbedFile> | null | undefined;
  if (
    !f ||
    !plainName(f.file) ||
    !plainName(f.alias) ||
    !plainName(f.map) ||
    typeof f.sri !== 'string' ||
    !/^sha384-[A-Za-z0-9+/]{64}$/.test(f.sri) ||
    !f.bytes ||
    !isSize(f.bytes.raw) ||
    !isSize(f.bytes.gzip) ||
    !isSize(f.bytes.brotli)
  ) {
    return undefined;
  }
  const { raw, gzip, brotli } = f.bytes;
  return { file: f.file, alias: f.alias, map: f.map, sri: f.sri, bytes: { raw, gzip, brotli } };
}

/**
 * Reads and checks the manifest written by `npm run build -w @tagward/embed`.
 *
 * @example
 * const m = readEmbedManifest();
 * const snippet = `<script async src="${origin}/${m.file}" integrity="${m.sri}"
 *   crossorigin="anonymous" data-site="${publishableKey}"></script>`;
 */
export function readEmbedManifest(dir: string = EMBED_DIST_DIR): EmbedManifest {
  const path = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(
      `embed manifest not readable at ${path}: run \`npm run build -w @tagward/embed\` first`,
      { cause: e },
    );
  }
  const core = readFile(raw);
  const spa = readFile((raw as { spa?: unknown } | null)?.spa);
  if (!core || !spa) {
    throw new Error(
      `embed manifest at ${path} is malformed: rebuild with \`npm run build -w @tagward/embed\``,
    );
  }
  return { ...core, spa };
}
