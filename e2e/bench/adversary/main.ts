// bench:adversary — our own adversarial corpus against the whole system as `npm start` starts it.
// Legitimate classes are real Chromium visitors (headful under Xvfb when there is one), each at an
// address of its own; forged classes are scripts (raw sockets with a copied Chromium header block,
// curl, Node's fetch, Python) and automated Chromium. Prints the class × verdict table, the top
// reasons per class and, last, one summary line. Bounded in time; not part of `npm test`.
import http from 'node:http';
import { launchChromiumBrowser, type LaunchedBrowser } from '@tagward/chromium';
import { launchBenchBrowser } from './browser.js';
import type { Captured, Outcome } from './forge.js';
import { FORGED_CLASSES, type ForgeEnv } from './forged.js';
import { browserForgeries, runBrowserForgery, startCopycatSite } from './forged-browser.js';
import { LEGIT_CLASSES, runVisitor, type LegitClass } from './legit.js';
import { freshNetwork, type BeaconLogEntry } from './relay.js';
import { judge, lastLine, renderTable, type ClassResult } from './report.js';
import { SITE_HOST, startSystem } from './system.js';

const SCALE = Number(process.env.BENCH_ADVERSARY_SCALE ?? 1);
const CONCURRENCY = Number(process.env.BENCH_ADVERSARY_CONCURRENCY ?? 6);
/** No new legitimate visitor starts after this (the whole run stays under 15 minutes). */
const LEGIT_BUDGET_MS = Number(process.env.BENCH_ADVERSARY_LEGIT_MS ?? 9 * 60_000);
const started = Date.now();
const say = (line: string) => process.stderr.write(`[adversary ${Math.round((Date.now() - started) / 1000)}s] ${line}\n`);

function getHtml(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers: { host: `${SITE_HOST}:${port}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Visitors of every class, interleaved, run `CONCURRENCY` at a time until the budget ends. */
async function runLegit(browser: LaunchedBrowser['browser'], siteUrl: string, log: BeaconLogEntry[]): Promise<void> {
  const queue: LegitClass[] = [];
  const counts = LEGIT_CLASSES.map((c) => Math.max(1, Math.round(c.visitors * SCALE)));
  for (let round = 0; queue.length < counts.reduce((a, b) => a + b, 0); round++)
    LEGIT_CLASSES.forEach((c, i) => round < counts[i]! && queue.push(c));
  let failures = 0;
  const worker = async () => {
    for (let cls = queue.shift(); cls && Date.now() - started < LEGIT_BUDGET_MS; cls = queue.shift()) {
      await runVisitor({ browser, siteUrl, log }, cls).catch((e: unknown) => {
        failures++;
        say(`visitor ${cls.name} failed: ${String(e).split('\n')[0]}`);
      });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  say(`legitimate visitors done (${queue.length} not started, ${failures} failed)`);
}

/** A legitimate class's beacons, one per id (a retried or flushed beacon is one page view). */
function legitOutcomes(log: BeaconLogEntry[], name: string): Outcome[] {
  const byId = new Map<string, number>();
  for (const e of log) if (e.label === name && e.id) byId.set(e.id, Math.max(byId.get(e.id) ?? -1, e.status));
  return [...byId].map(([id, status]) => ({ id, status }));
}

function capture(log: BeaconLogEntry[]): Captured {
  const real = log.find((e) => e.status === 200 && e.seq === 0);
  if (!real) throw new Error('no real beacon to copy');
  const payload = JSON.parse(real.body) as Captured['payload'];
  delete payload.token;
  delete payload.att;
  delete payload.cohort;
  return { rawHeaders: real.rawHeaders, payload };
}

const sys = await startSystem(say);
const headful = await launchBenchBrowser();
const headless = await launchChromiumBrowser({ headless: true });
const copycat = await startCopycatSite(await getHtml(sys.ports.site, '/'));
const cleanUp = async () => {
  await copycat.close();
  await headless.close();
  await headful.close();
  await sys.stop();
};
// Ctrl-C stops the system and the browsers too, not only this process.
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
try {
  const log: BeaconLogEntry[] = [];
  await runVisitor({ browser: headful.browser, siteUrl: sys.urls.site, log }, LEGIT_CLASSES[0]!);
  const env: ForgeEnv = { sys, captured: capture(log), legitLog: log };
  const ua = env.captured.rawHeaders[env.captured.rawHeaders.findIndex((x) => x.toLowerCase() === 'user-agent') + 1]!;
  say(`Chromium ${headful.browser.version()} ${headful.mode}; copied header block of ${ua}`);

  const forged = new Map<string, Outcome[]>();
  const forgeries = browserForgeries(ua);
  const scripted = FORGED_CLASSES.filter((c) => !c.name.startsWith('replay') && !c.name.startsWith('spa_'));
  const replays = FORGED_CLASSES.filter((c) => !scripted.includes(c));
  await Promise.all([
    runLegit(headful.browser, sys.urls.site, log),
    (async () => {
      for (const c of scripted) {
        // Each class's addresses are a network of their own, so no class is judged on another's.
        freshNetwork();
        forged.set(c.name, await c.run(env));
        say(`forged ${c.name} sent`);
      }
      for (const f of forgeries) {
        await runBrowserForgery(f, f.headless ? headless.browser : headful.browser, f.site === 'copycat' ? copycat.url : sys.urls.site, log);
        say(`forged ${f.name} sent`);
      }
    })(),
  ]);
  for (const c of replays) {
    freshNetwork();
    forged.set(c.name, await c.run(env));
  }
  await new Promise((r) => setTimeout(r, 3000));

  const results: ClassResult[] = [];
  for (const c of LEGIT_CLASSES) results.push(await judge(sys.db, c.name, 'legit', legitOutcomes(log, c.name)));
  for (const c of FORGED_CLASSES) results.push(await judge(sys.db, c.name, c.residual ? 'residual' : 'forged', forged.get(c.name) ?? []));
  for (const f of forgeries) results.push(await judge(sys.db, f.name, f.residual ? 'residual' : 'forged', legitOutcomes(log, f.name)));
  for (const c of results) if (c.lostStatuses.length) say(`${c.name}: ${c.lostStatuses.length} lost (statuses ${c.lostStatuses.join(', ')})`);
  const beacons = results.reduce((a, c) => a + c.total, 0);
  process.stdout.write(
    `\nbench adversary: the system as \`npm start\` starts it (apps/demo), default rules; Chromium ${headful.browser.version()} ${headful.mode};` +
      ` ${beacons} beacons in ${Math.round((Date.now() - started) / 1000)} s\n` +
      'goal: legit >= 99.5% trusted; forged >= 95% suspect, fraud or refused; residual: share trusted (documented)\n\n' +
      renderTable(results) +
      '\n\n' +
      lastLine(results) +
      '\n',
  );
} finally {
  await cleanUp();
}
