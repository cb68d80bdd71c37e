/**
 * Finding "Sign-up and tRPC batches (medium)", written as the attack: one 7.9 KB request of 100
 * batched sign-ups created 100 accounts, a 200-call batch slowed a concurrent login from 139 ms
 * to 13.7 s, and sign-up had no throttle at all.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, codeOf, signedUpClient, startTestApi, uniqueEmail, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  // Behind "our proxy", so each request can say which address it comes from.
  // The clock holds still: the hourly windows these tests count in cannot roll over mid-test.
  const at = new Date();
  api = await startTestApi('api_abuse', { trustProxy: true, signupPerAddress: 5, signupPerNetwork: 20 }, () => at);
});
afterAll(async () => {
  await api?.close();
});

/** A raw tRPC batch of `calls` calls of one mutation, as httpBatchLink would send it. */
async function batch(path: string, inputs: unknown[], headers: Record<string, string> = {}): Promise<{ status: number; bytes: number }> {
  const body = JSON.stringify(Object.fromEntries(inputs.map((input, i) => [String(i), input])));
  const response = await fetch(`${api.url}/trpc/${inputs.map(() => path).join(',')}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: api.url, 'x-forwarded-for': '198.51.100.200', ...headers },
    body,
  });
  await response.arrayBuffer();
  return { status: response.status, bytes: Buffer.byteLength(body) };
}

describe('batches', () => {
  test('one request of 100 batched sign-ups is refused whole and creates no account', async () => {
    const emails = Array.from({ length: 100 }, () => uniqueEmail('batch'));
    const { status, bytes } = await batch('auth.signUp', emails.map((email) => ({ email, password: PASSWORD })));
    expect(bytes).toBeLessThan(10_000);
    expect(status).toBe(400);
    expect(await api.db.models.User.countDocuments({ email: { $in: emails } })).toBe(0);
  });

  test('a batch at the cap still works: the dashboard batches a handful of calls', async () => {
    const { status } = await batch('auth.logOut', Array.from({ length: api.config.maxBatchSize }, () => undefined));
    expect(status).toBe(200);
  });

  test('200-call login batches are refused at once and a concurrent login stays fast', async () => {
    const owner = await signedUpClient(api);
    const attack = Array.from({ length: 4 }, () => batch('auth.logIn', Array.from({ length: 200 }, () => ({ email: owner.email, password: 'guess guess' }))));
    const started = performance.now();
    expect(await codeOf(api.client().trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD }))).toBe('OK');
    const loginMs = performance.now() - started;
    expect((await Promise.all(attack)).map((r) => r.status)).toEqual([400, 400, 400, 400]);
    // Measured before the cap: 13.7 s. One argon2 verification here is ~30-100 ms.
    expect(loginMs).toBeLessThan(2000);
  });

  test('a body over the cap is refused before it is parsed', async () => {
    const response = await fetch(`${api.url}/trpc/auth.signUp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: api.url },
      body: JSON.stringify({ email: uniqueEmail(), password: 'x'.repeat(api.config.maxBodyBytes) }),
    });
    expect(response.status).toBe(413);
  });
});

describe('sign-up throttle', () => {
  const signUpFrom = (ip: string) =>
    codeOf(api.client({ headers: { 'x-forwarded-for': ip } }).trpc.auth.signUp.mutate({ email: uniqueEmail('flood'), password: PASSWORD }));

  test('one address gets 5 sign-ups an hour; its neighbours are not blocked by it', async () => {
    const codes = [];
    for (let i = 0; i < 7; i++) codes.push(await signUpFrom('203.0.113.10'));
    expect(codes).toEqual(['OK', 'OK', 'OK', 'OK', 'OK', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
    expect(await signUpFrom('203.0.113.11')).toBe('OK');
  });

  test('rotating through the addresses of one network stops at 20 an hour; another network is not affected', async () => {
    const codes = [];
    for (let i = 0; i < 25; i++) codes.push(await signUpFrom(`192.0.2.${i + 1}`));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(20);
    expect(codes.slice(20)).toEqual(Array(5).fill('TOO_MANY_REQUESTS'));
    expect(await signUpFrom('192.0.3.1')).toBe('OK');
  });

  test('IPv6 addresses of one /48 share the network limit', async () => {
    const codes = [];
    for (let i = 0; i < 22; i++) codes.push(await signUpFrom(`2001:db8:77:${i.toString(16)}::1`));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(20);
  });

  test('a refused sign-up tells which limit, with a stable code', async () => {
    for (let i = 0; i < 5; i++) await signUpFrom('203.0.113.99');
    try {
      await api.client({ headers: { 'x-forwarded-for': '203.0.113.99' } }).trpc.auth.signUp.mutate({ email: uniqueEmail(), password: PASSWORD });
      throw new Error('not refused');
    } catch (error) {
      expect((error as { data?: { appCode?: string } }).data?.appCode).toBe('signup_throttled');
    }
  });
});
