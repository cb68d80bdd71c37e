// What `bench:embed` and `bench:embed:compare` measure: a performance trace of one page load
// (the data behind the DevTools Performance panel), reduced to the main-thread slices V8
// attributes to the script's URL. docs/embed.md, "Main-thread cost", explains the method.
import type { FixtureServer } from '../test/helpers/server.js';
import type { VisitorBrowser } from './visitor-browser.js';

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

/** Records a browser-wide trace while `during` runs. */
async function trace(browser: VisitorBrowser, during: () => Promise<void>): Promise<TraceEvent[]> {
  const events: TraceEvent[] = [];
  // The protocol types trace events as string maps; they are the Trace Event Format objects.
  const off = browser.on('Tracing.dataCollected', (d) => events.push(...(d.value as TraceEvent[])));
  const complete = new Promise((resolve) => {
    const done = browser.on('Tracing.tracingComplete', () => resolve(done()));
  });
  await browser.send('Tracing.start', {
    traceConfig: { includedCategories: ['devtools.timeline', 'toplevel'] },
    transferMode: 'ReportEvents',
  });
  await during();
  await browser.send('Tracing.end');
  await complete;
  off();
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
  const script = onMain
    .filter(
      (e) => ['EvaluateScript', 'FunctionCall'].includes(e.name) && e.args?.data?.url === scriptUrl,
    )
    .sort((a, b) => a.ts - b.ts);
  // The page is the renderer that evaluated the script (not about:blank's, not another tab's).
  // A load in the same tab also records the previous page's pagehide listener, which runs
  // before the new page evaluates the script: that belongs to the previous load.
  const evaluation = script.find((e) => e.name === 'EvaluateScript');
  const pid = evaluation?.pid;
  const ours = script.filter((e) => e.pid === pid && e.ts >= evaluation!.ts);
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

/** A tab the benchmark navigates from load to load, as a visitor moves from page to page. */
export interface Tab {
  targetId: string;
  /** A DevTools session attached to the tab for Page.navigate only: no domain is enabled. */
  sessionId: string;
}

export async function openTab(browser: VisitorBrowser): Promise<Tab> {
  const { targetId } = await browser.send<{ targetId: string }>('Target.createTarget', {
    url: 'about:blank',
  });
  const { sessionId } = await browser.send<{ sessionId: string }>('Target.attachToTarget', {
    targetId,
    flatten: true,
  });
  return { targetId, sessionId };
}

/**
 * Loads `path` under a trace, until the first beacon has arrived (or `waitMs` has passed, for a
 * variant that sends none), and returns the cost of `scriptUrl` with the beacon's self-reported
 * `timing.checks` (0 without a beacon). In `tab` when given (a visitor's next page view: the
 * renderer process already runs), else in a new tab, closed afterwards (a first visit: a new
 * renderer process, nothing of it warm).
 */
export async function tracedLoad(
  browser: VisitorBrowser,
  server: FixtureServer,
  path: string,
  scriptUrl: string,
  { tab, waitMs = 15_000 }: { tab?: Tab; waitMs?: number } = {},
): Promise<ScriptCost & { checks: number; beacon: boolean }> {
  server.beacons.length = 0;
  const url = `${server.site}${path}`;
  let opened = '';
  const events = await trace(browser, async () => {
    if (tab) await browser.send('Page.navigate', { url }, tab.sessionId);
    else
      ({ targetId: opened } = await browser.send<{ targetId: string }>('Target.createTarget', {
        url,
      }));
    const until = Date.now() + waitMs;
    while (server.beacons.length < 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    // The fetch answer and the tagward:beacon event come after the request.
    await new Promise((r) => setTimeout(r, 200));
  });
  if (opened) await browser.send('Target.closeTarget', { targetId: opened });
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
