// npm run bench:embed:compare -- <baseline.js> <variant.js> [<variant.js> …]
//
// Compares built copies of the embed script load by load: the same 5,000-element page, one load
// of each script in turn, PAIRS rounds (default 15; use a multiple of the number of scripts), traced as `bench:embed` traces. Separate
// bench runs see different loads on a shared machine; alternating in one browser lets each
// variant be read against the baseline of the same moment (the median of the per-round
// differences). A variant that sends no beacon (an ablation) is waited for WAIT_MS (default 600).
//
// Workflow: `npm run build -w @tagward/embed`, copy dist/tagward.<hash>.js aside, change the
// source (or the built copy, for a quick ablation), build again, compare the two files.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { startFixtureServer } from '../test/helpers/server.js';
import { hugePage } from '../test/fixtures.js';
import { launchVisitorBrowser } from './visitor-browser.js';
import { median, openTab, tracedLoad, type ScriptCost } from './trace.js';

// npm runs the script in the workspace folder; paths are read from where it was called.
const files = process.argv.slice(2).map((f) => resolve(process.env.INIT_CWD ?? process.cwd(), f));
if (files.length < 2) {
  console.error(
    'usage: npm run bench:embed:compare -- <baseline.js> <variant.js> [<variant.js> …]',
  );
  process.exit(2);
}
const PAIRS = Number(process.env.PAIRS ?? 15);
const WAIT_MS = Number(process.env.WAIT_MS ?? 600);
const fmt = (x: number) => x.toFixed(2);

const dir = await mkdtemp(join(tmpdir(), 'tagward-embed-compare-'));
const served = files.map((_, i) => `v${i}.js`);
await Promise.all(files.map((f, i) => copyFile(f, join(dir, served[i]!))));
const server = await startFixtureServer(dir);
const browser = await launchVisitorBrowser();
try {
  served.forEach((file, i) =>
    server.pages.set(`/v${i}`, { html: hugePage({ tagward: server.tagward, file }, 5000) }),
  );
  // Every load in one tab: a visitor's later page views (bench:embed's "later view").
  const tab = await openTab(browser);
  const load = (i: number, round: number) =>
    tracedLoad(browser, server, `/v${i}?round=${round}`, `${server.tagward}/${served[i]}`, {
      tab,
      waitMs: WAIT_MS,
    });
  console.log(
    `bench embed compare: ${PAIRS} rounds, load average ${loadavg()[0]!.toFixed(2)}; baseline ${basename(files[0]!)}`,
  );
  // One warm-up load of each, not counted (first renderer, disk caches).
  for (const i of served.keys()) await load(i, -1);
  const rows = served.map((): Array<ScriptCost & { checks: number }> => []);
  // Each round starts one variant further on: a load late in a round runs in a browser that has
  // just done more work, and rotating spreads that over every variant alike.
  for (let round = 0; round < PAIRS; round++)
    for (const k of served.keys()) {
      const i = (k + round) % served.length;
      rows[i]![round] = await load(i, round);
    }
  const base = rows[0]!;
  console.log('variant                         wall_ms  cpu_ms  checks_ms  Δwall_ms  Δcpu_ms');
  files.forEach((f, i) => {
    const r = rows[i]!;
    const delta = (k: 'script' | 'cpu') => median(r.map((x, j) => x[k] - base[j]![k]));
    console.log(
      `${basename(f).padEnd(30)}  ${fmt(median(r.map((x) => x.script))).padStart(7)}  ${fmt(median(r.map((x) => x.cpu))).padStart(6)}  ${fmt(median(r.map((x) => x.checks))).padStart(9)}  ${i ? fmt(delta('script')).padStart(8) : '       —'}  ${i ? fmt(delta('cpu')).padStart(7) : '      —'}`,
    );
  });
} finally {
  await browser.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
}
