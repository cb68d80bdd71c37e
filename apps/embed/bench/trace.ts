// What `bench:embed` and `bench:embed:compare` measure: a performance trace of one page load
// (the data behind the DevTools Performance panel), reduced to the main-thread slices V8
// attributes to the script's URL. docs/embed.md, "Main-thread cost", explains the method.
import type { CDPSession } from 'playwright-core';
import type { Browser } from '../test/helpers/browser.js';
import type { FixtureServer } from '../test/helpers/server.js';

export interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the slice: what the thread ran, without the time it was descheduled. */
  tdur?: number;
  args?: { name?: string; data?: { url?: string } };
}

export interface ScriptCost {
  /** Wall-clock time of the script's slices, nested ones counted once (ms). */
  script: number;
  /** Thread (CPU) time of the same slices (ms). */
  cpu: number;
  /** The top-level run (EvaluateScript, with its compile), wall clock (ms). */
  evaluate: number;
  /** Callbacks into the script (FunctionCall: load listener, timer, idle callback), wall clock (ms). */
  callbacks: number;
  /** The whole page's main-thread busy time (top-level tasks), wall clock (ms). */
  page: number;
}

async function trace(cdp: CDPSession, during: () => Promise<void>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  // The protocol types trace events as string maps; they are the Trace Event Format objects.
  cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as TraceEvent[])));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline', 'toplevel'] },
    transferMode: 'ReportEvents',
  });
  await during();
  await cdp.send('Tracing.end');
  await complete;
  return events;
}

/** CPU time of the events kept: thread time of the outermost ones (nested ones are inside). */
function threadTime(events: TraceEvent[]): number {
  let total = 0;
  let until = -1;
  for (const e of [...events].sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0))) {
    if (e.ts < until) continue;
    total += e.tdur ?? 0;
    until = e.ts + (e.dur ?? 0);
  }
  return total / 1000;
}

/** Total duration of the events kept, counting an event nested in another kept one once. */
function nonOverlapping(events: TraceEvent[]): number {
  let total = 0;
  let until = -1;
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) {
    const end = e.ts + (e.dur ?? 0);
    if (e.ts >= until) total += e.dur ?? 0;
    else if (end > until) total += end - until;
    until = Math.max(until, end);
  }
  return total / 1000;
}

export function analyse(events: TraceEvent[], scriptUrl: string): ScriptCost {
  const mainThreads = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const onMain = events.filter((e) => e.ph === 'X' && mainThreads.has(`${e.pid}:${e.tid}`));
  const ours = onMain.filter(
    (e) => ['EvaluateScript', 'FunctionCall'].includes(e.name) && e.args?.data?.url === scriptUrl,
  );
  // Only the renderer that ran the script: the page's, not about:blank's.
  const pid = ours[0]?.pid;
  const tasks = onMain.filter(
    (e) => e.pid === pid && (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask'),
  );
  return {
    script: nonOverlapping(ours),
    cpu: threadTime(ours),
    evaluate: nonOverlapping(ours.filter((e) => e.name !== 'FunctionCall')),
    callbacks: nonOverlapping(ours.filter((e) => e.name === 'FunctionCall')),
    page: nonOverlapping(tasks),
  };
}

/**
 * Loads `path` in a fresh page under a trace, until the first beacon has arrived (or `waitMs`
 * has passed, for a variant that sends none), and returns the cost of `scriptUrl` with the
 * beacon's self-reported `timing.checks` (0 without a beacon).
 */
export async function tracedLoad(
  browser: Browser,
  server: FixtureServer,
  path: string,
  scriptUrl: string,
  waitMs = 15_000,
): Promise<ScriptCost & { checks: number; beacon: boolean }> {
  const page = await browser.context.newPage();
  const cdp = await browser.context.newCDPSession(page);
  server.beacons.length = 0;
  const events = await trace(cdp, async () => {
    await page.goto(`${server.site}${path}`);
    const until = Date.now() + waitMs;
    while (server.beacons.length < 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    // The fetch answer and the tagward:beacon event come after the request.
    await page.waitForTimeout(200);
  });
  await page.close();
  const body = server.beacons[0]?.body as { timing?: { checks: number } } | undefined;
  return {
    ...analyse(events, scriptUrl),
    checks: body?.timing?.checks ?? 0,
    beacon: body?.timing !== undefined,
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};
