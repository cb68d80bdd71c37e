import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function collect(res: http.IncomingMessage, resolve: (a: Answer) => void): void {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (c: string) => (body += c));
  res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
}

/**
 * A request to nginx as a browser would make it: to 127.0.0.1, with the TLS name and Host header
 * of `url`, trusting the test's own certificate.
 */
export function viaNginx(url: string, options: { method?: string; headers?: Record<string, string>; body?: string; ca: string; agent?: https.Agent }): Promise<Answer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: Number(target.port),
        servername: target.hostname,
        path: target.pathname + target.search,
        method: options.method ?? 'GET',
        ca: fs.readFileSync(options.ca),
        agent: options.agent,
        headers: { host: target.host, ...options.headers, ...(options.body ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) },
      },
      (res) => collect(res, resolve),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A plain-http request straight to one app process on loopback (bypassing nginx). */
export function direct(port: number, pathname: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: pathname,
        method: options.method ?? 'GET',
        agent: false,
        headers: { ...options.headers, ...(options.body ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) },
      },
      (res) => collect(res, resolve),
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
