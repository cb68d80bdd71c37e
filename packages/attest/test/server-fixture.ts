/** A real node:http server with the attest handlers mounted, as the beacon will mount them. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAttester, type AttesterOptions } from '../src/server/attester.js';
import { createAttestHandlers, type AttestHandlerOptions } from '../src/server/http.js';
import { createIssuer, type Issuer } from '../src/server/issuer.js';

export interface AttestServer {
  url: string;
  issuer: Issuer;
  server: Server;
  /** Every request the issuer side received: method, path, headers, body. */
  seen: Array<{
    method: string;
    path: string;
    headers: IncomingMessage['headers'];
    body: Uint8Array;
  }>;
  close(): Promise<void>;
}

export async function startAttestServer(options: {
  keys: string[];
  attester?: Partial<AttesterOptions>;
  handlers?: Partial<AttestHandlerOptions>;
  /** Extra routes tried after the attest handlers (e.g. a test redemption endpoint). */
  extra?: (req: IncomingMessage, res: ServerResponse, body: Promise<Uint8Array>) => void;
}): Promise<AttestServer> {
  const issuer = createIssuer({
    keys: options.keys.map((pem, i) => ({ privateKey: pem, notBefore: 1_700_000_000 + i })),
  });
  const attester = createAttester({
    secret: 's'.repeat(32),
    difficultyBits: 6,
    solutions: 2,
    maxTokens: 5,
    ...options.attester,
  });
  const handlers = createAttestHandlers({
    issuer,
    attester,
    issuerName: 'issuer.test',
    ...options.handlers,
  });
  const seen: AttestServer['seen'] = [];
  const server = createServer((req, res) => {
    // Record the raw request for the unlinkability test without consuming it for the handler.
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    const body = new Promise<Uint8Array>((resolve) =>
      req.on('end', () => {
        const bytes = new Uint8Array(Buffer.concat(chunks));
        seen.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: bytes,
        });
        resolve(bytes);
      }),
    );
    void handlers.handle(req, res).then((handled) => {
      if (handled) return;
      if (options.extra) options.extra(req, res, body);
      else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    issuer,
    server,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
