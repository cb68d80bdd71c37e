import { readEmbedManifest } from '@tagward/embed';

/**
 * The snippets a site owner pastes, for each integration level. The script tag carries the
 * SRI hash of the exact build it names (a content-hashed file), so a tampered or swapped script
 * does not run; the price is that a new embed release needs a new snippet, which the dashboard
 * always shows current.
 */

export interface InstallDto {
  /** False when the embed script has not been built: `message` says how to fix it. */
  available: boolean;
  message: string | null;
  scriptUrl: string | null;
  sri: string | null;
  /** Level 1: the script tag alone. */
  snippet: string | null;
  /** Level 2: the same tag plus the page token your server puts in the page. */
  tokenSnippet: { head: string; express: string; nodeHttp: string } | null;
  /** Level 4: the attestation experiment, when a cohort share is set. */
  attestationSnippet: string | null;
}

function escapeAttr(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

export function buildInstall(options: {
  publicBeaconUrl: string;
  publicKey: string;
  attestationCohortPct: number;
  embedDir?: string;
}): InstallDto {
  let manifest: { file: string; sri: string };
  try {
    manifest = readEmbedManifest(options.embedDir);
  } catch {
    return {
      available: false,
      message:
        'The embed script is not built on this server yet, so there is no snippet to copy. Run `npm run build -w @tagward/embed` and reload this page.',
      scriptUrl: null,
      sri: null,
      snippet: null,
      tokenSnippet: null,
      attestationSnippet: null,
    };
  }
  const scriptUrl = `${options.publicBeaconUrl}/${manifest.file}`;
  const tag = (extra = '') =>
    `<script async src="${escapeAttr(scriptUrl)}" integrity="${escapeAttr(manifest.sri)}" crossorigin="anonymous" data-site="${escapeAttr(options.publicKey)}"${extra}></script>`;
  const snippet = tag();
  const head = `<meta name="tagward-token" content="<%= tagwardToken %>">\n${snippet}`;
  const express = [
    "import { mintPageToken } from '@tagward/sdk-node';",
    '',
    "app.get('*', (req, res, next) => {",
    '  // One fresh, single-use token per page view, minted locally: no network call.',
    '  res.locals.tagwardToken = mintPageToken({',
    '    secretKey: process.env.TAGWARD_SECRET_KEY,',
    "    origin: 'https://www.example.com', // your page's origin",
    '    path: req.path,',
    '  });',
    '  next();',
    '});',
  ].join('\n');
  const nodeHttp = [
    "import { mintPageToken } from '@tagward/sdk-node';",
    '',
    'const token = mintPageToken({',
    '  secretKey: process.env.TAGWARD_SECRET_KEY,',
    "  origin: 'https://www.example.com',",
    '  path: new URL(req.url, "https://www.example.com").pathname,',
    '});',
    "res.end(html.replace('<%= tagwardToken %>', token));",
  ].join('\n');
  const pct = Math.round(options.attestationCohortPct);
  return {
    available: true,
    message: null,
    scriptUrl,
    sri: manifest.sri,
    snippet,
    tokenSnippet: { head, express, nodeHttp },
    attestationSnippet: pct > 0 ? tag(` data-attest="${pct}"`) : null,
  };
}
