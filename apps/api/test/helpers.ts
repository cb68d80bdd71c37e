import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { generateMasterKey } from '@tagward/keys';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { pino } from 'pino';
import { apiConfigSchema, type ApiConfig, type ApiConfigInput } from '../src/config.js';
import { startApiServer, type RunningApi } from '../src/app.js';
import type { AppRouter } from '../src/index.js';

export type ApiClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface TestApi {
  url: string;
  config: ApiConfig;
  db: TestDatabase;
  api: RunningApi;
  /** A new browser-like client with its own cookie jar. */
  client(options?: ClientOptions): TestClient;
  close(): Promise<void>;
}

export interface ClientOptions {
  /** Origin header sent with every request (default: the API's own origin). null: none. */
  origin?: string | null;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
}

export interface TestClient {
  trpc: ApiClient;
  cookies: Map<string, string>;
  /** Raw Set-Cookie headers of the last response. */
  lastSetCookie: string[];
}

export async function startTestApi(label: string, config: Partial<ApiConfigInput> = {}, now?: () => Date): Promise<TestApi> {
  const db = await createTestDatabase(label);
  const parsed = apiConfigSchema.parse({
    masterKey: generateMasterKey(),
    logLevel: 'silent',
    embedDir: '/nonexistent-embed-dir',
    ...config,
  });
  const api = await startApiServer({ db, config: parsed, port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }), now });
  return {
    url: api.url,
    config: parsed,
    db,
    api,
    client: (options) => createTestClient(api.url, options),
    async close() {
      await api.close();
      await db.dispose();
    },
  };
}

export function createTestClient(baseUrl: string, options: ClientOptions = {}): TestClient {
  const cookies = new Map<string, string>();
  const state: TestClient = { trpc: undefined as unknown as ApiClient, cookies, lastSetCookie: [] };
  const origin = options.origin === undefined ? new URL(baseUrl).origin : options.origin;
  state.trpc = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/trpc`,
        headers: () => {
          const headers: Record<string, string> = { ...options.headers };
          if (origin !== null) headers.origin = origin;
          if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
          return headers;
        },
        fetch: async (url, init) => {
          const response = await fetch(url, init as RequestInit);
          state.lastSetCookie = response.headers.getSetCookie();
          for (const header of state.lastSetCookie) {
            const [pair = '', ...attrs] = header.split(';');
            const eq = pair.indexOf('=');
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a));
            if (expired || value === '') cookies.delete(name);
            else cookies.set(name, value);
          }
          return response;
        },
      }),
    ],
  });
  return state;
}

/** The tRPC error code of a rejected call, or 'OK' when it resolved. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCClientError) return String((error.data as { code?: string } | undefined)?.code ?? 'UNKNOWN');
    throw error;
  }
}

export async function messageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return '';
  } catch (error) {
    if (error instanceof TRPCClientError) return error.message;
    throw error;
  }
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}-${Date.now().toString(36)}@example.com`;
}

export const PASSWORD = 'correct horse battery staple';

export async function signedUpClient(api: TestApi, email = uniqueEmail()): Promise<TestClient & { email: string; userId: string }> {
  const client = api.client();
  const { user } = await client.trpc.auth.signUp.mutate({ email, password: PASSWORD });
  return Object.assign(client, { email, userId: user.id });
}
