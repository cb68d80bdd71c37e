import { TagwardError } from './errors.js';

export interface EmbedTagOptions {
  /** URL of the embed script, e.g. `https://beacon.tagward.example/v1.js`. */
  src: string;
  /** Your publishable key, `pk_live_…` / `pk_test_…`. */
  publishableKey: string;
  /** A page token from {@link mintPageToken}, if you use them. */
  token?: string;
  /** Subresource Integrity hash of the script (`sha384-…`), from the dashboard's snippet. */
  integrity?: string;
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The `<script>` tag for a page: the embed script with your publishable key and, optionally, the
 * page token and the SRI hash. Attribute values are HTML-escaped.
 *
 * @example
 * const tag = renderEmbedTag({
 *   src: 'https://beacon.tagward.example/v1.js',
 *   integrity: 'sha384-…',
 *   publishableKey: 'pk_live_…',
 *   token: mintPageToken({ secretKey, origin, path: req.path }),
 * });
 * res.send(`<!doctype html><html><head>${tag}</head>…`);
 */
export function renderEmbedTag(options: EmbedTagOptions): string {
  if (!/^pk_(live|test)_/.test(options.publishableKey)) {
    throw new TagwardError(
      'invalid_argument',
      options.publishableKey.startsWith('sk_')
        ? 'never put the secret key in a page: pass the publishable pk_… key'
        : 'publishableKey is a pk_live_… or pk_test_… key',
    );
  }
  const attributes: Array<[string, string]> = [['src', options.src]];
  if (options.integrity)
    attributes.push(['integrity', options.integrity], ['crossorigin', 'anonymous']);
  attributes.push(['data-site', options.publishableKey]);
  if (options.token) attributes.push(['data-token', options.token]);
  const rendered = attributes
    .map(([name, value]) => `${name}="${escapeAttribute(value)}"`)
    .join(' ');
  return `<script ${rendered} async></script>`;
}
