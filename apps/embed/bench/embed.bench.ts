// npm run bench:embed — main-thread cost of the embed script on a page of ~5000 elements.
//
// Method (docs/embed.md, "Main-thread cost"): Chromium records a performance trace (the same
// data as the DevTools Performance panel) of each page load until the beacon arrives. On the
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
import { launchChromium } from '../test/helpers/browser.js';
import { startFixtureServer } from '../test/helpers/server.js';
import { hugePage } from '../test/fixtures.js';
import { median, tracedLoad, type ScriptCost } from './trace.js';

const RUNS = 15;
const ELEMENTS = 5000;
const GOAL_MS = 5;

const fmt = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tagward-embed-bench-'));
  const { manifest } = await buildEmbed({ outDir: dir });
  const server = await startFixtureServer(dir);
  const browser = await launchChromium();
  try {
    server.pages.set('/huge', {
      html: hugePage({ tagward: server.tagward, file: manifest.file }, ELEMENTS),
    });
    const scriptUrl = `${server.tagward}/${manifest.file}`;
    const first = await browser.context.newPage();
    const { product } = await (
      await browser.context.newCDPSession(first)
    ).send('Browser.getVersion');
    await first.close();
    console.log(
      `bench embed: ${product}, ${RUNS} loads of a page of ${ELEMENTS} elements, load average ${loadavg()[0]!.toFixed(2)} on this shared machine`,
    );
    console.log(
      'run  script_ms  (top-level  callbacks)  script_cpu_ms  checks_ms(self-reported)  page_main_thread_ms',
    );

    const rows: Array<ScriptCost & { checks: number }> = [];
    for (let run = 0; run <= RUNS; run++) {
      const row = await tracedLoad(browser, server, `/huge?run=${run}`, scriptUrl);
      if (!row.beacon) throw new Error(`run ${run}: no beacon arrived`);
      // Run 0 warms the browser (its first renderer, disk caches) and is not counted.
      if (run === 0) continue;
      rows.push(row);
      console.log(
        `${String(run).padStart(3)}  ${fmt(row.script).padStart(9)}  (${fmt(row.evaluate).padStart(9)}  ${fmt(row.callbacks).padStart(9)})  ${fmt(row.cpu).padStart(13)}  ${fmt(row.checks).padStart(24)}  ${fmt(row.page).padStart(19)}`,
      );
    }
    const script = median(rows.map((r) => r.script));
    const cpu = median(rows.map((r) => r.cpu));
    const page = median(rows.map((r) => r.page));
    const sorted = rows.map((r) => r.script).sort((a, b) => a - b);
    console.log(
      `median: script ${fmt(script)} ms (min ${fmt(sorted[0]!)}, max ${fmt(sorted.at(-1)!)}), of it CPU ${fmt(cpu)} ms, self-reported checks ${fmt(median(rows.map((r) => r.checks)))} ms, page main thread ${fmt(page)} ms, script share ${((script / page) * 100).toFixed(1)} %`,
    );
    console.log(
      `goal: script main-thread time <= ${GOAL_MS} ms: ${script <= GOAL_MS ? 'met' : 'NOT met'}`,
    );
    console.log(
      `bench embed: gzip_bytes=${manifest.bytes.gzip} main_thread_ms=${fmt(script)} main_thread_cpu_ms=${fmt(cpu)}`,
    );
  } finally {
    await browser.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
