// Forged classes sent by scripts: raw sockets with a copied Chromium header block, curl, Node's
// fetch (undici) and Python. Each class returns the beacons it sent and what the beacon answered.
import { spawn } from 'node:child_process';
import { mintPageToken } from '@tagward/sdk-node';
import { embedId, forgeBeacon, openSocket, plausibleTimings, rawPost, scrapeToken, sleep, withHeader, type Captured, type Outcome } from './forge.js';
import { addressInNetwork, freshAddress, type BeaconLogEntry } from './relay.js';
import { SITE_HOST, type RunningSystem } from './system.js';

export interface ForgeEnv {
  sys: RunningSystem;
  /** A real Chromium beacon of the shop's home page. */
  captured: Captured;
  /** Every real beacon the legitimate visitors sent (for the replays). */
  legitLog: BeaconLogEntry[];
}

export interface ForgedClass {
  name: string;
  /** Documented as indistinguishable (docs/threat-model.md): reported apart, as a rate. */
  residual?: boolean;
  run(env: ForgeEnv): Promise<Outcome[]>;
}

/** `n` beacons, `every` ms apart (0: as fast as waves of 8 go). */
async function paced(n: number, every: number, one: (i: number) => Promise<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  if (every > 0) {
    for (let i = 0; i < n; i++) {
      const started = Date.now();
      out.push(await one(i));
      await sleep(Math.max(0, every - (Date.now() - started)));
    }
    return out;
  }
  for (let i = 0; i < n; i += 8) out.push(...(await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, k) => one(i + k)))));
  return out;
}

const beaconPort = (env: ForgeEnv) => env.sys.ports.beacon;
const siteOrigin = (env: ForgeEnv) => env.sys.urls.site;

/** A Chrome user agent and matching client hints of another major version. */
function rotateBrowser(raw: string[], major: number): string[] {
  const ua = raw[raw.findIndex((x, i) => i % 2 === 0 && x.toLowerCase() === 'user-agent') + 1]!;
  const hints = raw[raw.findIndex((x, i) => i % 2 === 0 && x.toLowerCase() === 'sec-ch-ua') + 1] ?? '';
  const withUa = withHeader(raw, 'User-Agent', ua.replace(/Chrome\/\d+/, `Chrome/${major}`));
  return hints ? withHeader(withUa, 'sec-ch-ua', hints.replace(/"Chromium";v="\d+"/, `"Chromium";v="${major}"`)) : withUa;
}

const timings = {
  dayLong: () => {
    const nav = 86_000_000 + Math.round(Math.random() * 300_000);
    return { nav, start: nav + 31.4, checks: 1.2, send: nav + 33.1 };
  },
  minusOne: () => ({ nav: -1, start: -1, checks: -1, send: -1 }),
  random: () => ({ nav: Math.random() * 3000, start: Math.random() * 3000, checks: Math.random() * 10, send: Math.random() * 3000 }),
};

function curlPost(url: string, body: string, address: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--interface', address, '-H', 'Content-Type: text/plain;charset=UTF-8', '--data-binary', body, url]);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', () => resolve(Number(out) || -1));
    child.on('error', () => resolve(-1));
  });
}

const PYTHON = `
import http.client, json, sys
port, origin, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for line in sys.stdin:
    body, address = line.rstrip('\\n').split('\\t')
    c = http.client.HTTPConnection('127.0.0.1', port, source_address=(address, 0), timeout=20)
    c.request('POST', '/v1/collect', body=body.encode(), headers={
        'Origin': origin, 'Referer': origin + '/', 'Content-Type': 'text/plain;charset=UTF-8',
        'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
        'Accept': '*/*', 'Accept-Language': 'en-US,en;q=0.9', 'Accept-Encoding': 'gzip, deflate, br'})
    print(c.getresponse().status, flush=True)
    c.close()
`;

async function pythonSpoofed(env: ForgeEnv, n: number): Promise<Outcome[]> {
  const ids: string[] = [];
  const lines = Array.from({ length: n }, () => {
    const id = embedId();
    ids.push(id);
    const body = JSON.stringify({ ...env.captured.payload, id, token: undefined, timing: plausibleTimings(), seq: 0 });
    return `${body}\t${freshAddress()}`;
  });
  const child = spawn('python3', ['-c', PYTHON, String(beaconPort(env)), siteOrigin(env), String(n)]);
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stdin.end(lines.join('\n') + '\n');
  await new Promise((resolve) => child.on('close', resolve));
  const statuses = out.trim().split('\n').map(Number);
  return ids.map((id, i) => ({ id, status: statuses[i] ?? -1 }));
}

/** Real beacons of the legitimate classes carrying a token, for the replays. */
const withToken = (env: ForgeEnv, label: RegExp, seq: (s: number) => boolean) =>
  env.legitLog.filter((e) => label.test(e.label) && e.hasToken && e.seq !== null && seq(e.seq) && e.status === 200);

async function replay(env: ForgeEnv, entries: BeaconLogEntry[], fresh: boolean): Promise<Outcome[]> {
  return paced(entries.length, 300, async (i) => {
    const e = entries[i]!;
    const payload = JSON.parse(e.body) as Record<string, unknown>;
    if (fresh) Object.assign(payload, { id: embedId(), seq: 0, timing: plausibleTimings() });
    const status = await rawPost(beaconPort(env), '/v1/collect', e.rawHeaders, JSON.stringify(payload));
    return { id: payload.id as string, status, duplicateOf: fresh ? undefined : (payload.id as string) };
  });
}

const MALFORMED: Array<[string, string, string]> = [
  ['not JSON', 'text/plain;charset=UTF-8', '{"v":1,'],
  ['wrong version', 'text/plain;charset=UTF-8', '{"v":2}'],
  ['unknown field', 'text/plain;charset=UTF-8', '{"v":1,"__proto__":{}}'],
  ['form body', 'application/x-www-form-urlencoded', 'v=1&key=x'],
  ['oversize', 'text/plain;charset=UTF-8', JSON.stringify({ v: 1, pad: 'x'.repeat(20_000) })],
];

export const FORGED_CLASSES: ForgedClass[] = [
  { name: 'burst_200_in_2s', run: (env) => { const a = freshAddress(); return paced(200, 0, () => forgeBeacon(beaconPort(env), env.captured, { address: a })); } },
  {
    name: 'burst_rotating_ua',
    run: (env) => {
      const a = freshAddress();
      return paced(200, 0, (i) => forgeBeacon(beaconPort(env), env.captured, { address: a, headers: (raw) => rotateBrowser(raw, 130 + (i % 27)) }));
    },
  },
  // The same burst spread over the addresses of one /24, one beacon each: no visitor and no address stands out.
  { name: 'burst_one_network', run: (env) => paced(200, 0, () => forgeBeacon(beaconPort(env), env.captured, { address: freshAddress() })) },
  { name: 'timer_700ms', run: (env) => { const a = freshAddress(); return paced(30, 700, () => forgeBeacon(beaconPort(env), env.captured, { address: a })); } },
  { name: 'timing_day_long', run: (env) => paced(20, 150, () => forgeBeacon(beaconPort(env), env.captured, { payload: { timing: timings.dayLong() } })) },
  { name: 'timing_all_minus_one', run: (env) => paced(20, 150, () => forgeBeacon(beaconPort(env), env.captured, { payload: { timing: timings.minusOne() } })) },
  { name: 'timing_random_floats', run: (env) => paced(20, 150, () => forgeBeacon(beaconPort(env), env.captured, { payload: { timing: timings.random() } })) },
  {
    name: 'token_farm_fast',
    run: (env) =>
      paced(30, 200, async () => {
        // The beacon connection is open before the page is fetched: the forged beacon leaves
        // the moment the token is read, a few milliseconds after it was minted.
        const address = freshAddress();
        const socket = openSocket(beaconPort(env), address);
        const token = await scrapeToken(env.sys.ports.site, SITE_HOST, '/', address);
        return forgeBeacon(beaconPort(env), env.captured, { address, socket, payload: { token, url: siteOrigin(env) + '/' } });
      }),
  },
  {
    name: 'token_other_path',
    run: (env) =>
      paced(20, 0, async () => {
        const address = freshAddress();
        const token = await scrapeToken(env.sys.ports.site, SITE_HOST, '/', address);
        await sleep(1500);
        return forgeBeacon(beaconPort(env), env.captured, { address, payload: { token, url: siteOrigin(env) + '/products/widget' } });
      }),
  },
  {
    name: 'token_expired',
    run: (env) =>
      paced(20, 150, () => {
        const token = mintPageToken({ secretKey: env.sys.keys.shop.secretKey, origin: siteOrigin(env), path: '/', ttlSeconds: 120, now: Date.now() - 11 * 60_000 });
        return forgeBeacon(beaconPort(env), env.captured, { payload: { token, url: siteOrigin(env) + '/' } });
      }),
  },
  {
    name: 'required_site_seq3_no_token',
    run: (env) => paced(20, 150, () => forgeBeacon(beaconPort(env), env.captured, { payload: { key: env.sys.keys.app.publicKey, url: siteOrigin(env) + '/app/pricing', seq: 3 } })),
  },
  { name: 'attestation_forged', run: (env) => paced(20, 150, () => forgeBeacon(beaconPort(env), env.captured, { payload: { att: Buffer.from(embedId().repeat(4)).toString('base64url'), cohort: true } })) },
  {
    name: 'curl_no_origin',
    run: (env) =>
      paced(20, 150, async () => {
        const id = embedId();
        const body = JSON.stringify({ ...env.captured.payload, id, timing: plausibleTimings() });
        return { id, status: await curlPost(`${env.sys.urls.beacon.replace('localhost', '127.0.0.1')}/v1/collect`, body, freshAddress()) };
      }),
  },
  {
    name: 'undici_no_origin',
    run: (env) =>
      paced(20, 300, async () => {
        const id = embedId();
        const body = JSON.stringify({ ...env.captured.payload, id, timing: plausibleTimings() });
        const res = await fetch(`http://127.0.0.1:${beaconPort(env)}/v1/collect`, { method: 'POST', body, headers: { 'content-type': 'text/plain;charset=UTF-8' } }).catch(() => null);
        return { id, status: res?.status ?? -1 };
      }),
  },
  { name: 'python_spoofed_origin_no_sec_fetch', run: (env) => pythonSpoofed(env, 20) },
  { name: 'replay_same_id', run: (env) => replay(env, withToken(env, /^desktop$|^mobile$/, (s) => s === 0).slice(0, 20), false) },
  { name: 'replay_token_new_id', run: (env) => replay(env, withToken(env, /^desktop$|^mobile$/, (s) => s === 0).slice(20, 40), true) },
  { name: 'spa_soft_nav_token_as_seq0', run: (env) => replay(env, withToken(env, /^spa/, (s) => s > 0).slice(0, 20), true) },
  {
    name: 'malformed_bodies',
    run: (env) =>
      paced(MALFORMED.length * 4, 100, async (i) => {
        const [, type, body] = MALFORMED[i % MALFORMED.length]!;
        return { id: null, status: await rawPost(beaconPort(env), '/v1/collect', withHeader(env.captured.rawHeaders, 'Content-Type', type), body) };
      }),
  },
  // Documented residual risks (docs/threat-model.md): measured, reported as rates.
  { name: 'level1_exact_copy_no_token', residual: true, run: (env) => paced(30, 400, () => forgeBeacon(beaconPort(env), env.captured)) },
  // The burst spread over 200 networks, one address and one beacon each: what a botnet or a
  // residential proxy pool sends. Nothing of one source repeats; only a token requirement tells.
  { name: 'burst_many_networks', residual: true, run: (env) => paced(200, 0, (i) => forgeBeacon(beaconPort(env), env.captured, { address: addressInNetwork(i) })) },
  {
    name: 'patient_token_farm',
    residual: true,
    run: (env) =>
      paced(20, 0, async () => {
        const address = freshAddress();
        const token = await scrapeToken(env.sys.ports.site, SITE_HOST, '/', address);
        await sleep(1500 + Math.random() * 1500);
        return forgeBeacon(beaconPort(env), env.captured, { address, payload: { token, url: siteOrigin(env) + '/' } });
      }),
  },
];
