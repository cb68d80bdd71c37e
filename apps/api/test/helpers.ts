import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import { generateMasterKey } from '@tagward/keys';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { testMailCatcher } from '@tagward/mail-catcher/testing';
import type { CaughtMail, MailInbox } from '@tagward/mail-catcher';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode } from '@tagward/auth';
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

/** The test API's configuration: mail to the test mail catcher, links to the test dashboard URL. */
export function testApiConfig(config: Partial<ApiConfigInput> = {}): ApiConfig {
  return apiConfigSchema.parse({
    masterKey: generateMasterKey(),
    logLevel: 'silent',
    embedDir: '/nonexistent-embed-dir',
    smtpUrl: testMailCatcher().smtpUrl,
    publicUrl: DASHBOARD_URL,
    // Test files sign up many accounts from 127.0.0.1; the limits have tests of their own.
    signupPerAddress: 10_000,
    signupPerNetwork: 10_000,
    mailsPerRecipient: 1000,
    ...config,
  });
}

export async function startTestApi(label: string, config: Partial<ApiConfigInput> = {}, now?: () => Date): Promise<TestApi> {
  const db = await createTestDatabase(label);
  const parsed = testApiConfig(config);
  const api = await startApiServer({
    db,
    config: parsed,
    port: 0,
    host: '127.0.0.1',
    log: pino({ level: 'silent' }),
    now,
    dashboardDir: config.dashboardDir ? parsed.dashboardDir : undefined,
  });
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

/** The API's own error code of a rejected call (`data.appCode`, e.g. 'email_unverified'), or null. */
export async function appCodeOf(promise: Promise<unknown>): Promise<string | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return (error as { data?: { appCode?: string | null } }).data?.appCode ?? null;
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

/** Where mailed links point in these tests (the dashboard is not served: only the tokens matter). */
export const DASHBOARD_URL = 'http://dashboard.test';

export function inbox(): MailInbox {
  return testMailCatcher().inbox;
}

/** The token of the link to `path` in a mail (it travels in the fragment: `#token=`). */
export function tokenIn(mail: CaughtMail, path: string): string {
  const link = mail.text.split(/\s+/).find((word) => /^https?:\/\/[^/]+/.test(word) && word.includes(`${path}#token=`));
  if (!link) throw new Error(`the mail "${mail.subject}" has no ${path} link`);
  return link.slice(link.indexOf('#token=') + 7);
}

export type SignedUpClient = TestClient & { email: string; userId: string };

/** Signs up and follows the verification link from the mail: a logged-in, verified account. */
export async function signedUpClient(api: TestApi, email = uniqueEmail()): Promise<SignedUpClient> {
  const client = api.client();
  await client.trpc.auth.signUp.mutate({ email, password: PASSWORD });
  const mail = await inbox().waitForMail(email, { subject: /Confirm your email/ });
  const outcome = await client.trpc.auth.verifyEmail.mutate({ token: tokenIn(mail, '/verify-email') });
  if (outcome.status !== 'logged_in') throw new Error(`verification ended in ${outcome.status}`);
  return Object.assign(client, { email, userId: outcome.user.id });
}

/** Signs up without following the link, then logs in with the password: an unverified account. */
export async function unverifiedClient(api: TestApi, email = uniqueEmail('unverified')): Promise<SignedUpClient> {
  const client = api.client();
  await client.trpc.auth.signUp.mutate({ email, password: PASSWORD });
  const outcome = await client.trpc.auth.logIn.mutate({ email, password: PASSWORD });
  if (outcome.status !== 'logged_in') throw new Error(`login ended in ${outcome.status}`);
  return Object.assign(client, { email, userId: outcome.user.id });
}

/** An owner invites `member`, who accepts through the mailed link. */
export async function addMemberByInvitation(owner: TestClient, siteId: string, member: SignedUpClient, role: 'owner' | 'viewer'): Promise<void> {
  const seen = new Set((await inbox().mailsTo(member.email)).map((m) => m.id));
  await owner.trpc.invitations.create.mutate({ siteId, email: member.email, role });
  const mail = await inbox().waitForMail(member.email, { subject: /invited you/, except: seen });
  await member.trpc.invitations.accept.mutate({ token: tokenIn(mail, '/invite') });
}

/**
 * Makes an account a platform admin, which needs two-factor: it is turned on through the API
 * with a code computed from the key it hands out. Returns the key, to compute later codes.
 */
export async function makeAdmin(api: TestApi, client: SignedUpClient): Promise<Uint8Array> {
  await api.db.models.User.updateOne({ _id: client.userId }, { $set: { role: 'admin' } });
  const { secret } = await client.trpc.twoFactor.begin.mutate();
  const key = decodeBase32IgnorePadding(secret);
  await client.trpc.twoFactor.confirm.mutate({ code: totpCode(key, new Date()) });
  return key;
}
