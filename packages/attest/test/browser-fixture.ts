/** Chromium and the client bundle, shared by the browser test and the proof-of-work calibration. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Bundles src/client as the embed would: one minified IIFE exposing `TagwardAttest`. */
export async function bundleClient(): Promise<{ code: string; bytes: number; gzip: number }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../src/client/index.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'TagwardAttest',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    write: false,
  });
  const code = result.outputFiles[0]!.text;
  return { code, bytes: Buffer.byteLength(code), gzip: gzipSync(code).length };
}

/** Serves a blank page and the bundle from its own origin (the "client site"). */
export async function startPageServer(
  bundle: string,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/attest.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bundle);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>shop</title><script src="/attest.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export { launchChromium } from '@tagward/chromium';
