// Each bench visitor is a browser context whose HTTP proxy is a relay of its own: the relay
// connects to the system from a loopback address of that visitor's (127.x.y.z; every one of
// 127/8 is local on Linux), in a /24 network of its own, so the beacon sees visitors at distinct
// addresses of distinct networks, as on the real internet, instead of one address for all.
// Forgers draw their addresses from another range (`freshAddress`), many to a network, as a
// rented server range or a proxy pool's subnet gives them.
//
// The relay turns the proxy's absolute-form request line back into origin form and
// Proxy-Connection back into Connection, in place: the header block the beacon reads is the one
// Chromium sends to a server directly, order and casing kept.
// It also logs every beacon (body and answer), which is how the bench learns a bounce's beacon
// id, sent by sendBeacon while the page goes away.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BeaconLogEntry {
  label: string;
  address: string;
  id: string | null;
  seq: number | null;
  hasToken: boolean;
  status: number;
  rawHeaders: string[];
  body: string;
}

export interface Relay {
  url: string;
  address: string;
  close(): Promise<void>;
}

/** Hosts used per /24: .1 to .254. */
const HOSTS = 254;
let nextAddress = 0;
let nextVisitor = 0;

/** Host `host` of the i-th /24 of the range starting at 127.<first>.0.0. */
const inNetwork = (first: number, i: number, host: number) => `127.${first + (i >> 8)}.${i & 0xff}.${host}`;

/** An address in a /24 of its own, the i-th of a range no other helper uses (127.32.0.0 on). */
export const addressInNetwork = (i: number): string => inNetwork(32, i, 7);

/** A legitimate visitor's address, each in a /24 of its own: 127.2.0.1, 127.2.1.1, … */
export const visitorAddress = (): string => inNetwork(2, nextVisitor++, 1);

/** A fresh forger's address per call, consecutive in 127.64.0.0/10: 127.64.0.1, 127.64.0.2, … */
export function freshAddress(): string {
  const n = nextAddress++;
  return inNetwork(64, Math.floor(n / HOSTS), 1 + (n % HOSTS));
}

/** The next `freshAddress` starts a /24 of its own: one forged class's addresses are one network's. */
export function freshNetwork(): void {
  nextAddress = Math.ceil(nextAddress / HOSTS) * HOSTS;
}

/** Proxy-Connection (what Chromium sends a proxy) becomes Connection (what it sends a server). */
function directHeaders(raw: string[]): string[] {
  const out = raw.slice();
  for (let i = 0; i < out.length; i += 2) if (out[i]!.toLowerCase() === 'proxy-connection') out[i] = 'Connection';
  return out;
}

function logEntry(label: string, address: string, req: http.IncomingMessage, body: string, status: number): BeaconLogEntry {
  let parsed: { id?: unknown; seq?: unknown; token?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // not JSON: logged with no id
  }
  return {
    label,
    address,
    id: typeof parsed.id === 'string' ? parsed.id : null,
    seq: typeof parsed.seq === 'number' ? parsed.seq : null,
    hasToken: typeof parsed.token === 'string',
    status,
    rawHeaders: directHeaders(req.rawHeaders),
    body,
  };
}

/** Starts a relay for one visitor; beacons it carries are appended to `log`. */
export async function startRelay(label: string, log: BeaconLogEntry[], address = visitorAddress()): Promise<Relay> {
  // A new upstream connection per request: reusing one the server has just closed as idle would
  // fail the request (ECONNRESET), an artifact of the relay that no visitor would see.
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    const chunks: Buffer[] = [];
    const isBeacon = req.method === 'POST' && target.pathname === '/v1/collect';
    const upstream = http.request(
      {
        host: '127.0.0.1',
        port: Number(target.port || 80),
        method: req.method,
        path: target.pathname + target.search,
        headers: directHeaders(req.rawHeaders),
        localAddress: address,
        agent,
      },
      (answer) => {
        if (isBeacon) log.push(logEntry(label, address, req, Buffer.concat(chunks).toString(), answer.statusCode ?? 0));
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (isBeacon) log.push(logEntry(label, address, req, Buffer.concat(chunks).toString(), -1));
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.on('data', (c: Buffer) => isBeacon && chunks.push(c));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    address,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
