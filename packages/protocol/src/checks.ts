/**
 * The embed script's DOM checks, in the order it reports them (docs/embed.md describes each).
 * The one list of them: the embed script, the API's labels, the demo traffic and the benches
 * all take it from here. Ids are stable: rollup documents and dashboards key on them, so an id
 * is never renamed or reused, and a new check is added at the end of its group.
 *
 * The wire format does not restrict `checks[].id` to this list (CHECK_ID_PATTERN only): an
 * embed script newer than the beacon may report checks this version does not know.
 *
 * @example
 * CHECK_IDS.includes('h1_single'); // true
 */
export const CHECK_IDS = [
  // head
  'title',
  'title_length',
  'description',
  'description_length',
  'html_lang',
  'viewport',
  'canonical',
  'indexable',
  'og_basics',
  // headings
  'h1_single',
  'heading_order',
  // images and links
  'img_alt',
  'link_text',
  // structured data
  'jsonld',
  'jsonld_valid',
] as const;

/** One of CHECK_IDS. */
export type CheckId = (typeof CHECK_IDS)[number];
