// Fixture pages for the browser tests and the benchmark. Plain HTML strings: what matters is
// what the embed script sees in the DOM, and every value here is chosen so that the expected
// check results can be worked out by hand.

export const KEY = 'pk_test_FixtureKey0123456789ab';
/** A 1×1 transparent GIF: images without a network request. */
export const PIXEL = 'data:image/gif;base64,R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw==';

export interface SnippetOptions {
  /** Origin of Tagward (scripts and beacon). */
  tagward: string;
  /** Script file on that origin. */
  file?: string;
  /** Extra attributes, written as is. */
  attrs?: string;
}

export const snippet = ({ tagward, file = 'v1.js', attrs = '' }: SnippetOptions) =>
  `<script async src="${tagward}/${file}" data-site="${KEY}" ${attrs}></script>`;

export const GOOD_HEAD = `
  <meta charset="utf-8">
  <title>Tagward fixture: a well made page</title>
  <meta name="description" content="A fixture page with every basic a search engine looks for: a title, a description, headings in order, alt text and named links.">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="canonical" href="/good">
  <meta name="robots" content="index, follow">
  <meta property="og:title" content="A well made page">
  <meta property="og:type" content="website">
  <meta property="og:image" content="/og.png">
  <meta property="og:url" content="/good">
  <script type="application/ld+json">{"@context":"https://schema.org","@type":"WebPage","name":"Good"}</script>`;

export const GOOD_BODY = `
  <h1>A well made page</h1>
  <h2>Section</h2><h3>Sub-section</h3><h2>Another section</h2>
  <img src="${PIXEL}" alt="a pixel"><img src="${PIXEL}" alt="">
  <a href="/a">Text link</a>
  <a href="/b" aria-label="Labelled icon link"></a>
  <a href="/c" title="Titled link"> </a>
  <a href="/d"><img src="${PIXEL}" alt="Image link"></a>`;

export const goodPage = (s: SnippetOptions, extraHead = '') =>
  `<!doctype html><html lang="en"><head>${GOOD_HEAD}${extraHead}${snippet(s)}</head><body>${GOOD_BODY}</body></html>`;

/** Every check fails; the expected values are in the test table. */
export const badPage = (s: SnippetOptions) => `<!doctype html><html><head>
  <meta charset="utf-8">
  <link rel="canonical" href="/one"><link rel="canonical" href="/two">
  <meta name="robots" content="NOINDEX, follow">
  <meta property="og:title" content="Only a title">
  <script type="application/ld+json">{"@context": "https://schema.org", broken</script>
  ${snippet(s)}
</head><body>
  <h1>First</h1><h1>Second</h1><h4>Skipped two levels</h4>
  <img src="${PIXEL}"><img src="${PIXEL}" alt="ok"><img src="${PIXEL}">
  <a href="/x"></a><a href="/y">   </a><a href="/z">fine</a>
</body></html>`;

/**
 * About `elements` elements in the body: sections of a heading, paragraphs, links (every other
 * one without a name) and images (every other one without alt).
 */
export function hugePage(s: SnippetOptions, elements = 5000): string {
  const perSection = 42; // section + h2 + 10 × (p, span, a, img)
  const sections: string[] = [];
  for (let i = 0; i < Math.ceil(elements / perSection); i++) {
    const items: string[] = [];
    for (let j = 0; j < 10; j++) {
      const k = i * 10 + j;
      items.push(
        `<p>Paragraph ${k} <span>with a span</span></p>`,
        k % 2 ? `<a href="/p/${k}">Link ${k}</a>` : `<a href="/p/${k}"></a>`,
        k % 2 ? `<img src="${PIXEL}" alt="Image ${k}">` : `<img src="${PIXEL}">`,
      );
    }
    sections.push(`<section><h2>Section ${i}</h2>${items.join('')}</section>`);
  }
  return `<!doctype html><html lang="en"><head>${GOOD_HEAD}${snippet(s)}</head><body><h1>A huge page</h1>${sections.join('\n')}</body></html>`;
}

/** The stand-in attestation module: registers a provider that stamps each payload. */
export const ATTEST_MODULE = `(window.tagward = window.tagward || []).push(['attest', function (p) { p.att = 'att:' + p.id; }]);`;
