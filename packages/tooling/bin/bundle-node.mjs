#!/usr/bin/env node
// Bundles a Node app for production: our workspace packages (TypeScript sources) are compiled in,
// every other dependency stays an import of node_modules. Usage: tagward-bundle src/main.ts
import { build } from 'esbuild';

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: tagward-bundle <entry.ts>\n');
  process.exit(2);
}

/** @type {import('esbuild').Plugin} */
const externalizeThirdParty = {
  name: 'externalize-third-party',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@tagward/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const result = await build({
  entryPoints: [entry],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  metafile: true,
  plugins: [externalizeThirdParty],
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stdout.write(`bundled ${entry} -> dist/main.js (${(bytes / 1024).toFixed(0)} KB with source map)\n`);
