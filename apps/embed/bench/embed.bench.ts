// npm run bench:embed — main-thread cost of the embed script on a page of ~5000 elements.
//
// Method (docs/embed.md, "Main-thread cost"): Chromium records a performance trace (the same
// data as the DevTools Performance panel) of each page load until the beacon arrives, in a
// browser with nothing attached to its pages (visitor-browser.ts), two views a round: a later
// view (the same tab navigated; the goal is read on it) and a first view (a new tab, a script
// URL never loaded). On the
// renderer's main thread we add up every slice that V8 attributes to the script's URL: the
// top-level run (EvaluateScript, with its compile) and every callback into the script
// (FunctionCall: the load listener, the timer, the idle callback that runs the checks and
// sends). Slices nested in a counted one are not counted twice. Parsing happens on a
// background thread (streaming) and is not main-thread time. Promise reactions (the fetch
// answer, a few microseconds) are not attributed by the trace and are left out.
// In the same run we record the whole page's main-thread busy time (top-level tasks) and the
// script's own `timing.checks`, so that figures from a busy machine can be read as ratios, and
// the thread (CPU) time of the script's slices: on a shared machine the wall-clock figure also
// counts the moments the renderer was descheduled in favour of other processes; CPU time does not.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEmbed } from '../scripts/build.js';
import { startFixtureServer } from '../test/helpers/server.js';
import { hugePage } from '../test/fixtures.js';
import { launchVisitorBrowser } from './visitor-browser.js';
import { median, openTab, tracedLoad, type ScriptCost } from './trace.js';

const RUNS = 15;
const ELEMENTS = 5000;
const GOAL_MS = 5;

const fmt = (x: number) => x.toFixed(2);

type Row = ScriptCost & { checks: number };

/** One line of medians for a series of loads. */
function summary(name: string, rows: Row[]): string {
  const script = median(rows.map((r) => r.script));
  const page = median(rows.map((r) => r.page));
  const sorted = rows.map((r) => r.script).sort((a, b) => a - b);
  return `${name}: script ${fmt(script)} ms (min ${fmt(sorted[0]!)}, max ${fmt(sorted.at(-1)!)}), of it CPU ${fmt(median(rows.map((r) => r.cpu)))} ms, top-level ${fmt(median(rows.map((r) => r.evaluate)))} ms, callbacks ${fmt(median(rows.map((r) => r.callbacks)))} ms, self-reported checks ${fmt(median(rows.map((r) => r.checks)))} ms, page main thread ${fmt(page)} ms, script share ${((script / page) * 100).toFixed(1)} %`;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tagward-embed-bench-'));
  const { manifest } = await buildEmbed({ outDir: dir });
  // Served as the CDN serves it (a hashed name is immutable for a year), so that the browser
  // keeps the script, and V8 its compiled code, from one page view of the site to the next.
  const server = await startFixtureServer(dir, { cdnCache: true });
  const browser = await launchVisitorBrowser();
  try {
    const page = (file: string) => ({
      html: hugePage({ tagward: server.tagward, file }, ELEMENTS),
    });
    server.pages.set('/huge', page(manifest.file));
    const { product } = await browser.send<{ product: string }>('Browser.getVersion');
    console.log(
      `bench embed: ${product}, ${RUNS} rounds of a page of ${ELEMENTS} elements, load average ${loadavg()[0]!.toFixed(2)} on this shared machine`,
    );
    console.log(
      '  "later view": the page loaded again in the same tab, as a visitor goes from page to page of a site: the renderer process already runs, the script comes from the browser cache with its compiled code',
    );
    console.log(
      '  "first view": a new tab, and the script under a URL never loaded before: a new renderer process, the script fetched and compiled from source, and nothing else on the page ran JavaScript first',
    );
    console.log(
      'round  view   script_ms  (top-level  callbacks)  script_cpu_ms  checks_ms(self-reported)  page_main_thread_ms',
    );

    const tab = await openTab(browser);
    const later: Row[] = [];
    const cold: Row[] = [];
    const scriptUrl = `${server.tagward}/${manifest.file}`;
    for (let run = 0; run <= RUNS; run++) {
      // Alternating which view goes first spreads the browser's own warm-up over both.
      const order = run % 2 ? (['first', 'later'] as const) : (['later', 'first'] as const);
      for (const view of order) {
        let row: Row & { beacon: boolean };
        if (view === 'later') {
          row = await tracedLoad(browser, server, `/huge?run=${run}`, scriptUrl, { tab });
        } else {
          const file = `${manifest.file}?first=${run}`;
          server.pages.set('/first', page(file));
          row = await tracedLoad(browser, server, `/first?run=${run}`, `${server.tagward}/${file}`);
        }
        if (!row.beacon) throw new Error(`round ${run}, ${view} view: no beacon arrived`);
        // Round 0 warms the browser (its first renderer, disk caches, and the first two loads
        // of the script that Chromium needs before it keeps compiled code) and is not counted.
        if (run === 0) continue;
        (view === 'later' ? later : cold).push(row);
        console.log(
          `${String(run).padStart(5)}  ${view}  ${fmt(row.script).padStart(9)}  (${fmt(row.evaluate).padStart(9)}  ${fmt(row.callbacks).padStart(9)})  ${fmt(row.cpu).padStart(13)}  ${fmt(row.checks).padStart(24)}  ${fmt(row.page).padStart(19)}`,
        );
      }
    }
    console.log(`median, ${summary('later view', later)}`);
    console.log(`median, ${summary('first view', cold)}`);
    const script = median(later.map((r) => r.script));
    const firstView = median(cold.map((r) => r.script));
    console.log(
      `goal: script main-thread time <= ${GOAL_MS} ms on a later view: ${script <= GOAL_MS ? 'met' : 'NOT met'}; first view ${fmt(firstView)} ms (${((firstView / script) * 100).toFixed(0)} % of a later view)`,
    );
    console.log(
      `bench embed: gzip_bytes=${manifest.bytes.gzip} main_thread_ms=${fmt(script)} main_thread_cpu_ms=${fmt(median(later.map((r) => r.cpu)))} first_view_ms=${fmt(firstView)} first_view_cpu_ms=${fmt(median(cold.map((r) => r.cpu)))}`,
    );
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
