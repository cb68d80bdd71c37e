// What forgers send: a Chromium beacon's header block copied byte for byte (captured from a real
// beacon by a relay) over a raw socket from an address of the forger's choosing, with payloads
// made to look like the embed's.
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { freshAddress } from './relay.js';

export interface Captured {
  /** Header block of a real Chromium beacon (name, value, …), as it reached the beacon. */
  rawHeaders: string[];
  /** That beacon's payload. */
  payload: Record<string, unknown> & { checks: unknown[]; url: string };
}

export interface Outcome {
  /** Beacon id to look up (null when the request carried none). */
  id: string | null;
  /** HTTP status, or -1 when the connection failed. */
  status: number;
  /** A byte-for-byte resend of this stored beacon: the beacon must store it once, not twice. */
  duplicateOf?: string;
}

/** An id in the embed's own format: four random 32-bit numbers joined by '_'. */
export function embedId(): string {
  return Array.from(new Uint32Array(randomBytes(16).buffer)).join('_');
}

const tenth = (x: number) => Math.round(x * 10) / 10;

/** Timings as the embed reports them for a page that loaded and went idle: consistent and rounded. */
export function plausibleTimings(): { nav: number; start: number; checks: number; send: number } {
  const nav = tenth(150 + Math.random() * 1800);
  const start = tenth(nav + 2 + Math.random() * 60);
  const checks = tenth(0.2 + Math.random() * 3);
  return { nav, start, checks, send: tenth(start + checks + Math.random() * 1.5) };
}

/** The captured header block with one header's value replaced (or removed with null), in place. */
export function withHeader(raw: string[], name: string, value: string | null): string[] {
  const out: string[] = [];
  let found = false;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== name.toLowerCase()) out.push(raw[i]!, raw[i + 1]!);
    else if (value !== null) {
      out.push(raw[i]!, value);
      found = true;
    } else found = true;
  }
  if (!found && value !== null) out.push(name, value);
  return out;
}

/** A connection opened ahead, so that a request can leave the moment its body is known. */
export function openSocket(port: number, localAddress = freshAddress()): net.Socket {
  return net.connect({ host: '127.0.0.1', port, localAddress });
}

/** Sends one request over a raw socket, header block exactly as given (Content-Length fixed up). */
export function rawPost(port: number, path: string, raw: string[], body: string, localAddress = freshAddress(), opened?: net.Socket): Promise<number> {
  const headers = withHeader(raw, 'Content-Length', String(Buffer.byteLength(body)));
  let head = `POST ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return new Promise((resolve) => {
    const socket = opened ?? net.connect({ host: '127.0.0.1', port, localAddress });
    let answer = '';
    const done = (status: number) => {
      socket.destroy();
      resolve(status);
    };
    socket.setTimeout(20_000, () => done(-1));
    socket.on('error', () => done(-1));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (m && answer.includes('\r\n\r\n')) done(Number(m[1]));
    });
    socket.write(head + '\r\n' + body);
  });
}

/** A forged beacon of the captured page, with changes, sent with the captured headers. */
export async function forgeBeacon(
  port: number,
  captured: Captured,
  change: { payload?: Record<string, unknown>; headers?: (raw: string[]) => string[]; address?: string; socket?: net.Socket } = {},
): Promise<Outcome> {
  const payload: Record<string, unknown> = { ...captured.payload, id: embedId(), timing: plausibleTimings(), seq: 0, errors: [] };
  delete payload.token;
  delete payload.att;
  Object.assign(payload, change.payload);
  const raw = change.headers ? change.headers(captured.rawHeaders) : captured.rawHeaders;
  const status = await rawPost(port, '/v1/collect', raw, JSON.stringify(payload), change.address, change.socket);
  return { id: typeof payload.id === 'string' ? payload.id : null, status };
}

/** Fetches a page as a scraper would (from `localAddress`) and lifts its page token. */
export function scrapeToken(sitePort: number, host: string, path: string, localAddress: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: sitePort, localAddress });
    let page = '';
    socket.on('error', () => resolve(null));
    socket.on('data', (c: Buffer) => {
      page += c.toString();
      const m = /data-token="([^"]+)"/.exec(page);
      if (m) {
        socket.destroy();
        resolve(m[1]!);
      }
    });
    socket.on('end', () => resolve(null));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${sitePort}\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\nConnection: close\r\n\r\n`);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
