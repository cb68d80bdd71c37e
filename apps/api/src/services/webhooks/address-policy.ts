/**
 * Where a webhook may be delivered. In production (`public-only`) a delivery never reaches
 * loopback, private, link-local, unique-local or cloud-metadata addresses: webhook URLs are typed
 * by site owners, and without this anyone could make our servers call their own internal
 * network (SSRF). The name is resolved first, every address it resolves to is checked, and the
 * connection is made to the checked address (transport.ts pins it), so a DNS answer that changes
 * between check and connect (rebinding) cannot slip through.
 */
import dns from 'node:dns';
import ipaddr from 'ipaddr.js';

export type TargetMode = 'public-only' | 'any';

export type AddressClass = 'loopback' | 'private' | 'link_local' | 'metadata' | 'reserved';

/**
 * Cloud metadata services that live on addresses ipaddr.js calls public (Azure's wire server) or
 * that are worth naming even though their range is refused anyway.
 */
const METADATA_ADDRESSES = new Set(['169.254.169.254', '169.254.170.2', '168.63.129.16', '100.100.100.200', '192.0.0.192', 'fd00:ec2::254']);

const RANGE_CLASS: Record<string, AddressClass> = {
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  carrierGradeNat: 'private',
  linkLocal: 'link_local',
};

/** The class that refuses an address, or null for a public unicast one. */
export function classifyAddress(address: string): AddressClass | null {
  if (!ipaddr.isValid(address)) return 'reserved';
  let ip: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1 to the kernel.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (METADATA_ADDRESSES.has(ip.toNormalizedString()) || METADATA_ADDRESSES.has(ip.toString())) return 'metadata';
  const range = ip.range();
  if (range === 'unicast') return null;
  // Everything else is refused: unspecified, broadcast, multicast, documentation, benchmarking,
  // and the IPv6 ranges that embed an IPv4 address (6to4, Teredo, NAT64), which could embed a private one.
  return RANGE_CLASS[range] ?? 'reserved';
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Lookup = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemLookup: Lookup = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export class TargetRefused extends Error {
  constructor(
    readonly code: 'invalid_url' | 'address_refused' | 'dns_failed',
    message: string,
  ) {
    super(message);
    this.name = 'TargetRefused';
  }
}

/** What can be said from the URL alone: scheme, no credentials, a host. */
export function checkTargetUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new TargetRefused('invalid_url', 'Not a URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TargetRefused('invalid_url', 'Use an https:// (or http://) URL.');
  if (url.username || url.password) throw new TargetRefused('invalid_url', 'Put no user name or password in the URL: verify our signature instead.');
  if (!url.hostname) throw new TargetRefused('invalid_url', 'The URL needs a host.');
  return url;
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * The address to connect to: the literal, or the first answer for the name. In `public-only`
 * mode every answer must be public (a name that also resolves to a private address is refused,
 * rather than hoping the public one is picked).
 */
export async function resolveTarget(url: URL, mode: TargetMode, lookup: Lookup = systemLookup): Promise<ResolvedAddress> {
  const host = hostOf(url);
  let answers: ResolvedAddress[];
  if (ipaddr.isValid(host)) {
    answers = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  } else {
    try {
      answers = await lookup(host);
    } catch (error) {
      throw new TargetRefused('dns_failed', `${host} does not resolve (${(error as { code?: string }).code ?? 'error'}).`);
    }
  }
  const first = answers[0];
  if (!first) throw new TargetRefused('dns_failed', `${host} has no address.`);
  if (mode === 'public-only') {
    for (const answer of answers) {
      const refused = classifyAddress(answer.address);
      if (refused) throw new TargetRefused('address_refused', `${host} resolves to ${answer.address}, a ${refused.replace('_', '-')} address: webhooks go to public addresses only.`);
    }
  }
  return first;
}
