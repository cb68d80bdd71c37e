/**
 * The real API for the benches: a throwaway database on the embedded server (or MONGODB_URI),
 * the Express + tRPC app on an ephemeral port, and tRPC clients that talk to it over HTTP with
 * a session cookie, as the dashboard does. `close()` stops the server and drops the database.
 */
import { randomBytes } from 'node:crypto';
import { createTRPCClient, httpBatchLink, httpLink } from '@trpc/client';
import { connectDatabase, ensureIndexes, resolveDatabase, type Database } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { pino } from 'pino';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode } from '@tagward/auth';
import { apiConfigSchema } from '../../src/config.js';
import { startApiServer } from '../../src/app.js';
import type { AppRouter } from '../../src/index.js';

export type BenchClient = ReturnType<typeof createTRPCClient<AppRouter>>;

export interface BenchApi {
  db: Database;
  dbName: string;
  url: string;
  /** A signed-up user's clients: one request per call, and batched as the dashboard sends them. */
  signUp(email: string): Promise<{ userId: string; trpc: BenchClient; batched: BenchClient }>;
  /** Makes a signed-up account a platform admin, which needs two-factor (turned on here). */
  makeAdmin(account: { userId: string; trpc: BenchClient }): Promise<void>;
  close(): Promise<void>;
}

function clientsFor(url: string): { trpc: BenchClient; batched: BenchClient } {
  const cookies = new Map<string, string>();
  const options = {
    url: `${url}/trpc`,
    // The API refuses cookie requests without its own Origin (CSRF).
    headers: () => ({ origin: new URL(url).origin, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') }),
    fetch: async (input: string | URL | Request, init?: RequestInit) => {
      const response = await fetch(input, init);
      for (const header of response.headers.getSetCookie()) {
        const [pair = ''] = header.split(';');
        const eq = pair.indexOf('=');
        cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      return response;
    },
  };
  return {
    trpc: createTRPCClient<AppRouter>({ links: [httpLink(options)] }),
    batched: createTRPCClient<AppRouter>({ links: [httpBatchLink(options)] }),
  };
}

export async function startBenchApi(label: string): Promise<BenchApi> {
  const handle = await resolveDatabase(process.env.MONGODB_URI, { log: (line) => process.stderr.write(`${line}\n`) });
  const dbName = `tw_bench_${label}_${randomBytes(3).toString('hex')}`;
  const db = await connectDatabase(handle.uri, dbName);
  await ensureIndexes(db);
  const config = apiConfigSchema.parse({ masterKey: generateMasterKey(), logLevel: 'silent', embedDir: '/nonexistent-embed-dir' });
  const api = await startApiServer({ db, config, port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
  return {
    db,
    dbName,
    url: api.url,
    async signUp(email) {
      const clients = clientsFor(api.url);
      const password = 'correct horse battery staple';
      await clients.trpc.auth.signUp.mutate({ email, password });
      // The bench has no inbox to follow the confirmation link from: the address is marked
      // verified directly, as an operator would, then the account logs in with its password.
      await db.models.User.updateOne({ email }, { $set: { emailVerifiedAt: new Date() } });
      const outcome = await clients.trpc.auth.logIn.mutate({ email, password });
      if (outcome.status !== 'logged_in') throw new Error(`bench login ended in ${outcome.status}`);
      return { userId: outcome.user.id, ...clients };
    },
    async makeAdmin(account) {
      await db.models.User.updateOne({ _id: account.userId }, { $set: { role: 'admin' } });
      const { secret } = await account.trpc.twoFactor.begin.mutate();
      await account.trpc.twoFactor.confirm.mutate({ code: totpCode(decodeBase32IgnorePadding(secret), new Date()) });
    },
    async close() {
      await api.close();
      await db.conn.dropDatabase().catch(() => undefined);
      await db.close();
      await handle.release();
    },
  };
}
