/** The dashboard views bench:stats times: each one request (or batch) the dashboard sends. */
import { DAY_MS } from '@tagward/db';
import type { BenchClient } from './bench-api.js';

export interface View {
  name: string;
  what: string;
  call: () => Promise<unknown>;
}

export function dashboardViews(t: BenchClient, batched: BenchClient, siteId: string, ids: { recent: string; old: string }, reasons: { common: string; rare: string }): View[] {
  const now = Date.now();
  const day = { from: new Date(now - 11 * DAY_MS).toISOString(), to: new Date(now - 10 * DAY_MS).toISOString() };
  const list = (name: string, what: string, filters: Record<string, string> = {}) => ({
    name,
    what: `events.list limit 50 ${what}`,
    call: () => t.events.list.query({ siteId, limit: 50, ...filters }),
  });
  const out: View[] = [];
  for (const preset of ['24h', '7d', '30d'] as const) {
    out.push({ name: `overview_${preset}`, what: `stats.overview ${preset}`, call: () => t.stats.overview.query({ siteId, preset }) });
  }
  for (const preset of ['24h', '7d', '30d'] as const) {
    out.push({ name: `top_pages_${preset}`, what: `stats.topPages ${preset}`, call: () => t.stats.topPages.query({ siteId, preset }) });
  }
  out.push(
    {
      name: 'dashboard_30d',
      what: 'overview + topPages 30d in one batched request, as the dashboard loads them',
      call: () => Promise.all([batched.stats.overview.query({ siteId, preset: '30d' }), batched.stats.topPages.query({ siteId, preset: '30d' })]),
    },
    {
      name: 'reasons_30d',
      what: 'the reasons panel = stats.overview 30d (its reasons field)',
      call: () => t.stats.overview.query({ siteId, preset: '30d', includeSuspect: false }),
    },
    list('events_first_page', '(no filter)'),
    {
      name: 'events_second_page',
      what: 'events.list limit 50, the page after the first (cursor)',
      call: async () => {
        const first = await t.events.list.query({ siteId, limit: 50 });
        return t.events.list.query({ siteId, limit: 50, cursor: first.nextCursor });
      },
    },
    list('events_verdict', 'verdict=fraud', { verdict: 'fraud' }),
    list('events_reason', `reason=${reasons.common}`, { reason: reasons.common }),
    list('events_reason_rare', `reason=${reasons.rare}`, { reason: reasons.rare }),
    list('events_path', 'path=/blog', { path: '/blog' }),
    list('events_path_rare', 'path=/help/topic-19 (~0.2% of views)', { path: '/help/topic-19' }),
    list('events_path_none', 'path=/nothing-here (no event)', { path: '/nothing-here' }),
    list('events_verdict_path', 'verdict=suspect path=/products', { verdict: 'suspect', path: '/products' }),
    list('events_day', 'one day 10 days ago', day),
    list('events_day_verdict', 'one day 10 days ago, verdict=fraud', { ...day, verdict: 'fraud' }),
    { name: 'event_detail', what: 'events.get (newest event)', call: () => t.events.get.query({ siteId, eventId: ids.recent }) },
    { name: 'event_detail_old', what: 'events.get (an event 29 days old)', call: () => t.events.get.query({ siteId, eventId: ids.old }) },
  );
  for (const preset of ['24h', '7d', '30d'] as const) {
    out.push({ name: `attestation_${preset}`, what: `attestation.cohorts ${preset}`, call: () => t.attestation.cohorts.query({ siteId, preset }) });
  }
  out.push({ name: 'integration_status', what: 'sites.integrationStatus (install page)', call: () => t.sites.integrationStatus.query({ siteId }) });
  return out;
}

