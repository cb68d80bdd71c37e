import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_RULES,
  applyOverride,
  deriveSignals,
  ipPrefix,
  parseCidr,
  score,
  type Rules,
} from '../src/index.js';
import * as F from '../fixtures/index.js';

const block = (hard: Partial<Rules['hard']>) => applyOverride(DEFAULT_RULES, { hard });
const run = (o: F.FactsOverrides, rules: Rules) => score(deriveSignals(F.facts(o)), rules);

describe('client network prefix', () => {
  test.each([
    ['203.0.113.77', 4, '203.0.113.0/24'],
    ['203.0.113.0', 4, '203.0.113.0/24'],
    ['::ffff:203.0.113.77', 4, '203.0.113.0/24'],
    ['::FFFF:cb00:714d', 4, '203.0.113.0/24'],
    ['2001:db8:abcd:12::1', 6, '2001:db8:abcd::/48'],
    ['2001:0db8:0000:0012:0000:0000:0000:0001', 6, '2001:db8::/48'],
    ['[2001:db8:1:2::3]', 6, '2001:db8:1::/48'],
    ['fe80::1%eth0', 6, 'fe80::/48'],
    ['::1', 6, '::/48'],
    ['::', 6, '::/48'],
    ['2001:db8::', 6, '2001:db8::/48'],
    ['2001:0:5::1', 6, '2001:0:5::/48'],
    ['0:0:5::1', 6, '0:0:5::/48'],
    ['::ffff:0.0.0.1', 4, '0.0.0.0/24'],
    ['64:ff9b::192.0.2.33', 6, '64:ff9b::/48'],
  ] as const)('%s belongs to %s', (ip, family, prefix) => {
    expect(ipPrefix(ip)).toEqual({ family, prefix });
  });

  test.each([
    '',
    'unknown',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.4 ',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::1',
    ':1',
    '1:',
    'g::1',
  ])('%j is not an address', (ip) => {
    expect(ipPrefix(ip)).toBeNull();
  });

  test('the IPv6 network agrees with the WHATWG URL serialisation of the address masked to /48', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.nat(0xffff)), { minLength: 8, maxLength: 8 }),
        fc.boolean(),
        (groups, compress) => {
          const full = groups.map((g) => g.toString(16)).join(':');
          const text = compress ? new URL(`http://[${full}]/`).hostname.slice(1, -1) : full;
          const masked = new URL(
            `http://[${[...groups.slice(0, 3), 0, 0, 0, 0, 0].map((g) => g.toString(16)).join(':')}]/`,
          ).hostname.slice(1, -1);
          const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
          const result = ipPrefix(text);
          if (mapped) expect(result?.family).toBe(4);
          else expect(result).toEqual({ family: 6, prefix: `${masked}/48` });
        },
      ),
      { numRuns: 500 },
    );
  });

  test('only the prefix reaches Signals', () => {
    const signals = deriveSignals(F.facts({ ip: '198.51.100.23' }));
    expect(signals.ip).toEqual({ family: 4, prefix: '198.51.100.0/24' });
    expect(JSON.stringify(signals)).not.toContain('198.51.100.23');
  });
});

describe('blocklist ranges', () => {
  test.each([
    ['198.51.100.0/24', true],
    ['10.0.0.0/8', true],
    ['0.0.0.0/0', true],
    ['2001:db8::/32', true],
    ['2001:db8:abcd::/48', true],
    ['198.51.100.7/32', false],
    ['198.51.100.0/25', false],
    ['2001:db8:abcd:12::/64', false],
    ['198.51.100.1/24', false],
    ['2001:db8::1/32', false],
    ['198.51.100.0', false],
    ['198.51.100.0/x', false],
    ['not-an-ip/8', false],
  ])('%s is %s as a blocklist entry', (cidr, ok) => {
    expect(parseCidr(cidr).ok).toBe(ok);
  });

  test.each<[string, string, string[], boolean]>([
    ['an address inside a blocked /24', '198.51.100.23', ['198.51.100.0/24'], true],
    ['an address inside a blocked /8', '10.20.30.40', ['10.0.0.0/8'], true],
    ['an address outside the range', '198.51.101.23', ['198.51.100.0/24'], false],
    [
      'an IPv4-mapped address against an IPv4 range',
      '::ffff:198.51.100.23',
      ['198.51.100.0/24'],
      true,
    ],
    ['an IPv6 address inside a blocked /32', '2001:db8:abcd:12::1', ['2001:db8::/32'], true],
    ['an IPv6 address inside a blocked /40', '2001:db8:ab12::1', ['2001:db8:ab00::/40'], true],
    ['an IPv6 address outside a blocked /40', '2001:db8:ac12::1', ['2001:db8:ab00::/40'], false],
    ['IPv4 ranges never match IPv6 clients', '2001:db8::1', ['0.0.0.0/0'], false],
    ['IPv6 ranges never match IPv4 clients', '198.51.100.23', ['::/0'], false],
  ])('%s', (_name, ip, blockIps, blocked) => {
    const result = run({ ip, token: F.VALID_TOKEN }, block({ blockIps }));
    expect(result.reasons.some((r) => r.code === 'blocked_ip')).toBe(blocked);
    expect(result.verdict).toBe(blocked ? 'fraud' : 'trusted');
    if (blocked) expect(result.score).toBe(0);
  });
});

describe('user-agent and origin blocklists', () => {
  test('a blocked User-Agent substring matches case-insensitively and is decisive', () => {
    const result = run(
      { token: F.VALID_TOKEN, attestation: { status: 'valid' } },
      block({ blockUserAgents: ['WINDOWS NT 10.0; win64'] }),
    );
    expect(result).toMatchObject({ score: 0, verdict: 'fraud' });
    expect(result.reasons).toContainEqual({
      code: 'blocked_user_agent',
      weight: -1,
      detail: 'User-Agent contains blocked text "windows nt 10.0; win64"',
    });
  });

  test.each<[string, F.FactsOverrides, string[], boolean]>([
    ['the Origin header matches a blocked origin', {}, ['https://shop.example.com'], true],
    ['the Origin header matches a blocked wildcard', {}, ['https://*.example.com'], true],
    ['the apex is not blocked by a wildcard', {}, ['https://*.shop.example.com'], false],
    [
      'without an Origin header the page URL is checked',
      { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: null }) },
      ['https://shop.example.com'],
      true,
    ],
    ['another origin is not blocked', {}, ['https://evil.example.net'], false],
  ])('%s', (_name, overrides, blockOrigins, blocked) => {
    const result = run(overrides, block({ blockOrigins }));
    expect(result.reasons.some((r) => r.code === 'blocked_origin')).toBe(blocked);
  });
});
