/** Helpers of the issue-17 tests: keys of each kind, REST calls, loopback webhook receivers. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiScope } from '@tagward/protocol';
import { Types } from 'mongoose';
import { generateRestrictedKey } from '@tagward/keys';
import { createTestDatabase } from '@tagward/db/testing';
import { pino } from 'pino';
import { createTestClient, testApiConfig, type TestApi, type TestClient } from '../helpers.js';
import type { ApiConfigInput } from '../../src/config.js';
import { startApiServer } from '../../src/app.js';
import type { Notifier } from '../../src/services/webhooks/notifier.js';
import type { NetworkHooks } from '../../src/services/webhooks/transport.js';

/** A restricted key written straight to the database (expired and revoked ones cannot be made through the API). */
export async function seedRestrictedKey(
  api: TestApi,
  siteId: string,
  scopes: ApiScope[],
  over: { expiresAt?: Date; revokedAt?: Date } = {},
): Promise<{ key: string; kid: string }> {
  const key = generateRestrictedKey({ mode: 'live' });
  await api.db.models.RestrictedKey.create({
    siteId: new Types.ObjectId(siteId),
    kid: key.kid,
    secretHash: key.secretHash,
    hint: key.hint,
    name: `seeded ${scopes.join('+') || 'none'}`,
    scopes,
    createdBy: new Types.ObjectId(),
    ...over,
  });
  return { key: key.restrictedKey, kid: key.kid };
}

export async function rest(api: TestApi, path: string, key?: string): Promise<{ status: number; body: unknown; headers: Headers; text: string }> {
  const res = await fetch(`${api.url}/api/v1${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, headers: res.headers, text };
}

export function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } } | undefined)?.error?.code;
}

export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** What to answer the n-th request (0-based); default 204. */
  respond: (n: number, req: ReceivedRequest) => { status: number; headers?: Record<string, string>; body?: string };
  close(): Promise<void>;
}

/** A webhook receiver on loopback that records every request. */
export async function startReceiver(respond?: Receiver['respond']): Promise<Receiver> {
  const state: Receiver = { url: '', requests: [], respond: respond ?? (() => ({ status: 204 })), close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = state.requests.push(received) - 1;
      const answer = state.respond(n, received);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

/** Creates a site owned by `owner` and returns its id and first secret key. */
export async function ownedSite(owner: TestClient, name = 'Shop'): Promise<{ siteId: string; secretKey: string }> {
  const created = await owner.trpc.sites.create.mutate({ name, mode: 'live' });
  return { siteId: created.site.id, secretKey: created.secretKey!.secretKey };
}

/** A test API with the webhook seams: a notifier that records, and optional network hooks. */
export async function startIntegrationsApi(
  label: string,
  config: Partial<ApiConfigInput> = {},
  extra: { network?: NetworkHooks } = {},
): Promise<TestApi & { notices: Array<{ siteId: string; subject: string; text: string }> }> {
  const db = await createTestDatabase(label);
  const parsed = testApiConfig(config);
  const notices: Array<{ siteId: string; subject: string; text: string }> = [];
  const notifier: Notifier = { notifyOwners: async (siteId, subject, text) => void notices.push({ siteId, subject, text }) };
  const running = await startApiServer({ db, config: parsed, port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }), notifier, network: extra.network });
  return {
    url: running.url,
    config: parsed,
    db,
    api: running,
    notices,
    client: (options) => createTestClient(running.url, options),
    async close() {
      await running.close();
      await db.dispose();
    },
  };
}

/** Webhook settings for tests: loopback receivers allowed, retries in milliseconds. */
export const FAST_WEBHOOKS = { targets: 'any', retryBaseMs: 40, maxDelayMs: 200, giveUpAfterMs: 60_000, pollMs: 20, alertSweepMs: 3_600_000, timeoutMs: 2000 } as const;
