import type { CheckId, CheckResult } from '@tagward/protocol';
import { d } from './dom.js';

// The DOM checks. Every id is one of CHECK_IDS in @tagward/protocol (the type makes sure of it,
// and a test that they come out in its order; only the type is imported, so the list costs the
// bundle nothing), stable, and documented in docs/embed.md. Every value is a number (a length,
// a count, or 1/0 for yes/no), never page text, so a hostile page cannot push markup or
// personal data through the beacon into the dashboard. A check passes when its value lies in its range [lo, hi].
//
// Bounded work on huge pages: head facts are read from `document.head` only; images and links
// are read from JavaScript up to CAP elements (live collections such as `document.images` are
// walked lazily by the browser, only as far as the index asked for). Headings and JSON-LD
// scripts need one native selector pass each; the JavaScript loops over them are capped too.
// The size budget (2 KB gzip for the whole script) is why this file is terse.

/** Most elements a single check reads from JavaScript. */
export const CAP = 300;
/** JSON-LD blocks parsed, and the largest parsed: bigger or later blocks are counted only. */
const JSONLD_CAP = 5;
const JSONLD_CHARS = 1e5;
const ANY = 1 / 0;

type Add = (id: CheckId, value: number, lo: number, hi?: number) => void;

/** Trimmed `content` of the first matching `<meta>` in the head, '' when absent. */
export const meta = (attr: string) =>
  (d.head.querySelector<HTMLMetaElement>(`meta[${attr}]`)?.content ?? '').trim();

// Groups fail alone: a group that throws is reported and left out, the others still run.
const GROUPS: Array<(add: Add) => void> = [
  (add) => {
    // document.title already strips and collapses whitespace.
    const title = d.title.length;
    // `i`: name="Description" must match too (attribute values are case-sensitive otherwise).
    const description = meta('name=description i').length;
    let og = 0;
    for (const p of ['title', 'type', 'image', 'url']) if (meta(`property="og:${p}"`)) og++;
    add('title', title, 1, ANY);
    add('title_length', title, 10, 60);
    add('description', description, 1, ANY);
    add('description_length', description, 50, 160);
    add('html_lang', +!!d.documentElement.lang.trim(), 1);
    add('viewport', +/width\s*=/.test(meta('name=viewport i')), 1);
    add('canonical', d.head.querySelectorAll('link[rel~=canonical i][href]').length, 1);
    // Only the first robots meta is read (a second one is rare); "none" means noindex, nofollow.
    add('indexable', +!/noindex|none/i.test(meta('name=robots i')), 1);
    add('og_basics', og, 4);
  },
  (add) => {
    const list = d.querySelectorAll('h1,h2,h3,h4,h5,h6');
    let h1 = 0;
    let skips = 0;
    let prev = 0;
    for (let i = 0, e; i < CAP && (e = list[i]); i++) {
      const level = +e.tagName[1]!;
      if (level < 2) h1++;
      if (prev && level > prev + 1) skips++;
      prev = level;
    }
    add('h1_single', h1, 1);
    add('heading_order', skips, 0);
  },
  (add) => {
    const images = d.images;
    const links = d.links;
    let n = 0;
    let bad = 0;
    for (let e; n < CAP && (e = images[n]); n++) if (!e.hasAttribute('alt')) bad++;
    add('img_alt', bad, 0);
    // A link's name: its text, an aria-label, a title, or an image with alt text inside it.
    for (let e, i = (bad = 0); i < CAP && (e = links[i]); i++)
      if (!(
        e.textContent!.trim() ||
        e.getAttribute('aria-label') ||
        e.title ||
        e.querySelector('img[alt]:not([alt=""])')
      ))
        bad++;
    add('link_text', bad, 0);
  },
  (add) => {
    // The type attribute is matched case-insensitively by selectors in HTML documents.
    let n = 0;
    let bad = 0;
    for (const e of d.querySelectorAll<HTMLScriptElement>('script[type="application/ld+json"]'))
      if (n++ < JSONLD_CAP && e.text.length < JSONLD_CHARS)
        try {
          JSON.parse(e.text);
        } catch {
          bad++;
        }
    add('jsonld', n, 1, ANY);
    if (n) add('jsonld_valid', bad, 0);
  },
];

/** Runs every check group; the results keep a fixed order. */
export function runChecks(report: (error: unknown) => void): CheckResult[] {
  const out: CheckResult[] = [];
  const add: Add = (id, value, lo, hi = lo) =>
    out.push({ id, pass: value >= lo && value <= hi, value });
  for (const group of GROUPS)
    try {
      group(add);
    } catch (e) {
      report(e);
    }
  return out;
}
