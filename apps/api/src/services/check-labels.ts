import type { CheckId } from '@tagward/protocol';

/**
 * Plain names for the embed script's DOM checks (ids are documented by the embed: they are
 * stable keys of rollup documents). An id we do not know yet is shown as it is.
 */
const LABELS = {
  title: 'Page has a title',
  title_length: 'Title is 10–60 characters',
  description: 'Has a meta description',
  description_length: 'Meta description is 50–160 characters',
  html_lang: 'Page declares its language',
  viewport: 'Has a responsive viewport tag',
  canonical: 'One canonical link',
  indexable: 'Indexable by search engines',
  og_basics: 'Open Graph basics (title, type, image, url)',
  h1_single: 'Exactly one h1 heading',
  heading_order: 'Headings do not skip levels',
  img_alt: 'Every image has alt text',
  link_text: 'Links have descriptive text',
  jsonld: 'Has structured data (JSON-LD)',
  jsonld_valid: 'Structured data parses',
} satisfies Record<CheckId, string>;

/** A Map, not an object lookup: ids come from beacons, and `constructor` must not find Object's. */
const CHECK_LABELS: ReadonlyMap<string, string> = new Map(Object.entries(LABELS));

export function describeCheck(id: string): string {
  return CHECK_LABELS.get(id) ?? id.replace(/_/g, ' ');
}
