/**
 * One webhook POST. The target is resolved and checked by the address policy, then the socket is
 * opened by us to that very address (the request's `createConnection`: nothing resolves the name
 * again); TLS still verifies the certificate for the host name. Redirects are
 * never followed: a 3xx is a failed attempt, or a receiver could bounce us to an internal address.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { TargetRefused, checkTargetUrl, hostOf, resolveTarget, type Lookup, type ResolvedAddress, type TargetMode } from './address-policy.js';

/** Test seams: the resolver, and where a connection to a (pinned) address really goes. */
export interface NetworkHooks {
  lookup?: Lookup;
  /** Opens the socket to a pinned address; tests replace it with a test network (plain http only). */
  connect?: (address: ResolvedAddress, port: number) => net.Socket;
}

export interface PostOutcome {
  ok: boolean;
  status: number | null;
  /** null when ok; else http_status, redirect, timeout, connect_failed, address_refused, dns_failed, invalid_url. */
  error: string | null;
  detail: string;
  durationMs: number;
}

const MAX_DETAIL = 300;

/** The socket to the pinned address: TCP, or TLS checked against the URL's host name. */
function pinnedConnection(url: URL, pinned: ResolvedAddress, port: number): net.Socket {
  const host = hostOf(url);
  if (url.protocol !== 'https:') return net.connect({ host: pinned.address, port });
  return tls.connect({ host: pinned.address, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] });
}

function readSome(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      text += chunk;
      // Enough to show in the delivery log; the rest is not our business.
      if (text.length >= MAX_DETAIL) res.destroy();
    });
    res.on('close', () => resolve(text.slice(0, MAX_DETAIL)));
    res.on('error', () => resolve(text.slice(0, MAX_DETAIL)));
  });
}

function send(url: URL, pinned: ResolvedAddress, body: string, headers: Record<string, string>, timeoutMs: number, hooks: NetworkHooks): Promise<Omit<PostOutcome, 'durationMs'>> {
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  return new Promise((resolve) => {
    const options: https.RequestOptions = {
      host: hostOf(url),
      port,
      // What the Host header leaves out (without an agent Node would not know it).
      defaultPort: secure ? 443 : 80,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      // No agent: every attempt opens its own socket, to the address we checked (and no pooled
      // socket to an old address is reused).
      createConnection: () => (hooks.connect && !secure ? hooks.connect(pinned, port) : pinnedConnection(url, pinned, port)),
      signal: AbortSignal.timeout(timeoutMs),
    };
    const req = (secure ? https : http).request(options, (res) => {
      void readSome(res).then((text) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve({ ok: true, status, error: null, detail: text });
        if (status >= 300 && status < 400) {
          return resolve({ ok: false, status, error: 'redirect', detail: `Redirects are not followed (Location: ${String(res.headers.location ?? '').slice(0, 200)}).` });
        }
        resolve({ ok: false, status, error: 'http_status', detail: text });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError' || error.code === 'ABORT_ERR';
      resolve({ ok: false, status: null, error: timedOut ? 'timeout' : 'connect_failed', detail: timedOut ? `No answer within ${timeoutMs} ms.` : `${error.code ?? ''} ${error.message}`.trim().slice(0, MAX_DETAIL) });
    });
    req.end(body);
  });
}

/** POSTs `body` to `rawUrl` under the address policy. Never throws: every failure is an outcome. */
export async function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: { mode: TargetMode; timeoutMs: number; hooks?: NetworkHooks },
): Promise<PostOutcome> {
  const started = performance.now();
  const hooks = options.hooks ?? {};
  try {
    const url = checkTargetUrl(rawUrl);
    const pinned = await resolveTarget(url, options.mode, hooks.lookup);
    const outcome = await send(url, pinned, body, headers, options.timeoutMs, hooks);
    return { ...outcome, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    return { ok: false, status: null, error: error.code, detail: error.message, durationMs: Math.round(performance.now() - started) };
  }
}
