/**
 * SSRF: in production mode (`public-only`, the default) no delivery reaches loopback, private,
 * link-local or metadata addresses, written as literals, as IPv6 equivalents, or as names that
 * resolve to them; the resolved address is the one connected to; redirects are not followed.
 * Receivers here are real servers on loopback, so "refused" means they saw nothing.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeOf, messageOf, signedUpClient, startTestApi, type TestApi } from './helpers.js';
import { ownedSite, startReceiver, type Receiver } from './support/integrations.js';
import { classifyAddress, type Lookup, type ResolvedAddress } from '../src/services/webhooks/address-policy.js';
import { postWebhook } from '../src/services/webhooks/transport.js';

let receiver: Receiver;
let port: number;

beforeAll(async () => {
  receiver = await startReceiver();
  port = Number(new URL(receiver.url).port);
});
afterAll(async () => {
  await receiver?.close();
});

/** A resolver for names of our own making (no DNS server here), the real one for the rest. */
const fakeDns = (table: Record<string, string[]>): Lookup => async (host) => {
  const answers = table[host];
  if (!answers) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as ResolvedAddress);
};

const production = (url: string, lookup?: Lookup) => postWebhook(url, '{}', { 'content-type': 'application/json' }, { mode: 'public-only', timeoutMs: 2000, hooks: lookup ? { lookup } : {} });

const LITERALS: Array<[string, string, string]> = [
  ['loopback', 'IPv4', `http://127.0.0.1:PORT/hooks`],
  ['loopback', 'IPv4, elsewhere in 127/8', `http://127.3.4.5:PORT/hooks`],
  ['loopback', 'IPv4 as one decimal number', `http://2130706433:PORT/hooks`],
  ['loopback', 'IPv6', `http://[::1]:PORT/hooks`],
  ['loopback', 'IPv4-mapped IPv6', `http://[::ffff:127.0.0.1]:PORT/hooks`],
  ['unspecified', 'IPv4', `http://0.0.0.0:PORT/hooks`],
  ['unspecified', 'IPv6', `http://[::]:PORT/hooks`],
  ['private', '10/8', 'http://10.1.2.3/hooks'],
  ['private', '172.16/12', 'https://172.20.0.1/hooks'],
  ['private', '192.168/16', 'http://192.168.1.10/hooks'],
  ['private', 'carrier-grade NAT 100.64/10', 'http://100.64.0.1/hooks'],
  ['private', 'IPv6 unique local fc00::/7', 'http://[fd12:3456::1]/hooks'],
  ['private', 'IPv4-mapped IPv6 of 10/8', 'http://[::ffff:10.0.0.1]/hooks'],
  ['link-local', 'IPv4 169.254/16', 'http://169.254.10.20/hooks'],
  ['link-local', 'IPv6 fe80::/10', 'http://[fe80::1]/hooks'],
  ['metadata', 'AWS, GCP, Azure IMDS', 'http://169.254.169.254/latest/meta-data/'],
  ['metadata', 'AWS IMDS over IPv6', 'http://[fd00:ec2::254]/latest/meta-data/'],
  ['metadata', 'Azure wire server', 'http://168.63.129.16/machine'],
  ['metadata', 'Alibaba', 'http://100.100.100.200/latest/meta-data/'],
];

describe('production mode refuses every non-public address class', () => {
  test.each(LITERALS)('%s (%s): %s', async (_class, _form, template) => {
    const before = receiver.requests.length;
    const outcome = await production(template.replace('PORT', String(port)));
    expect(outcome).toMatchObject({ ok: false, status: null, error: 'address_refused' });
    expect(receiver.requests.length).toBe(before);
  });

  test.each<[string, string, string[]]>([
    ['localhost (the real resolver)', 'localhost', []],
    ['a name resolving to loopback', 'loop.attacker.example', ['127.0.0.1']],
    ['a name resolving to a private address', 'intranet.attacker.example', ['10.0.0.7']],
    ['a name resolving to link-local', 'll.attacker.example', ['169.254.1.1']],
    ['a name resolving to the metadata service', 'metadata.attacker.example', ['169.254.169.254']],
    ['a name resolving to IPv6 loopback', 'v6.attacker.example', ['::1']],
    ['a name with a public and a private address', 'mixed.attacker.example', ['93.184.215.14', '192.168.0.1']],
  ])('%s', async (_name, host, answers) => {
    const before = receiver.requests.length;
    const lookup = answers.length ? fakeDns({ [host]: answers }) : undefined;
    const outcome = await production(`http://${host}:${port}/hooks`, lookup);
    expect(outcome).toMatchObject({ ok: false, error: 'address_refused' });
    expect(outcome.detail).toContain(host);
    expect(receiver.requests.length).toBe(before);
  });

  test.each([
    ['93.184.215.14', null],
    ['2606:2800:21f:cb07:6820:80da:af6b:8b2c', null],
    ['127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a00:1', 'reserved'], // NAT64 of 10.0.0.1
    ['2002:7f00:1::', 'reserved'], // 6to4 of 127.0.0.1
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('pinning and redirects, in production mode', () => {
  /**
   * A test network: the name resolves to a public address, and a "connection" to that address is
   * carried to a loopback server. This is how the tests reach a production-mode delivery at all.
   */
  function testNetwork(answers: string[][]) {
    let lookups = 0;
    const dialled: string[] = [];
    const hooks = {
      lookup: async (): Promise<ResolvedAddress[]> => (answers[Math.min(lookups++, answers.length - 1)] ?? []).map((address) => ({ address, family: 4 as const })),
      connect: (address: ResolvedAddress, _port: number) => {
        dialled.push(address.address);
        return net.connect(port, '127.0.0.1');
      },
    };
    return { hooks, dialled, lookups: () => lookups };
  }

  test('the name is resolved once and the checked address is the one dialled (a rebinding second answer is never used)', async () => {
    const network = testNetwork([['93.184.215.14'], ['127.0.0.1']]);
    const before = receiver.requests.length;
    const outcome = await postWebhook('http://hooks.customer.example/hooks', '{"a":1}', {}, { mode: 'public-only', timeoutMs: 2000, hooks: network.hooks });
    expect(outcome).toMatchObject({ ok: true, status: 204 });
    expect(network.lookups()).toBe(1);
    expect(network.dialled).toEqual(['93.184.215.14']);
    expect(receiver.requests.length).toBe(before + 1);
    expect(receiver.requests.at(-1)!.headers.host).toBe('hooks.customer.example');
  });

  test('a redirect, even to a public address, is a failed attempt and is not followed', async () => {
    const bouncer = await startReceiver(() => ({ status: 307, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    try {
      const network = testNetwork([['93.184.215.14']]);
      network.hooks.connect = (address) => {
        network.dialled.push(address.address);
        return net.connect(Number(new URL(bouncer.url).port), '127.0.0.1');
      };
      const outcome = await postWebhook('http://hooks.customer.example/hooks', '{}', {}, { mode: 'public-only', timeoutMs: 2000, hooks: network.hooks });
      expect(outcome).toMatchObject({ ok: false, status: 307, error: 'redirect' });
      expect(network.dialled).toEqual(['93.184.215.14']);
      expect(bouncer.requests).toHaveLength(1);
    } finally {
      await bouncer.close();
    }
  });
});

describe('endpoint URLs are checked when they are saved', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('webhooks_ssrf'); // production defaults: public-only
  });
  afterAll(async () => {
    await api?.close();
  });

  test.each([
    ['a loopback address', 'http://127.0.0.1:8080/hooks', /loopback/],
    ['localhost', 'http://localhost/hooks', /loopback/],
    ['the metadata service', 'http://169.254.169.254/', /metadata/],
    ['a private address', 'https://10.0.0.1/hooks', /private/],
    ['credentials in the URL', 'https://user:pass@hooks.example/', /user name or password/],
    ['another scheme', 'ftp://hooks.example/', /https/],
  ])('%s is refused with a clear message', async (_name, url, message) => {
    const owner = await signedUpClient(api);
    const { siteId } = await ownedSite(owner);
    const call = owner.trpc.webhooks.create.mutate({ siteId, url, events: ['fraud.spike'] });
    expect(await codeOf(call)).toBe('BAD_REQUEST');
    expect(await messageOf(owner.trpc.webhooks.create.mutate({ siteId, url, events: ['fraud.spike'] }))).toMatch(message);
    expect(await api.db.models.WebhookEndpoint.countDocuments({})).toBe(0);
  });
});
