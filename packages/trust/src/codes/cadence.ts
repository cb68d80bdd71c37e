import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the cadence signal group.
 * How often one visitor, one address or one network sends beacons.
 */
export const CADENCE_CODES = {
  cadence_burst: {
    group: 'cadence',
    kind: 'penalty',
    title: 'Burst from one visitor',
    description:
      'Too many beacons from one visitor hash (address and user agent) for a person reading pages: in the last second, the last ten seconds or the last minute. Counted before the rate limits refuse anything, so a refused flood still counts. Visitors behind one NAT with the same browser share a hash, so the per-minute threshold is generous.',
    forgery: 'Spread events over many IP addresses and user agents.',
  },
  cadence_regular: {
    group: 'cadence',
    kind: 'penalty',
    title: 'Machine-regular intervals',
    description:
      "The gaps between this visitor's beacons are nearly constant (low coefficient of variation): a timer, not a person.",
    forgery: 'Add random jitter to the intervals.',
  },
  cadence_address_burst: {
    group: 'cadence',
    kind: 'penalty',
    title: 'Burst from one address',
    description:
      "Too many beacons from one client address to this site, whatever their user agents, in the last second, ten seconds or minute: a flood that rotates user agents to dodge the per-visitor count. A large NAT (an office, a campus, carrier-grade NAT) sends many real visitors from one address, so these thresholds sit well above a busy NAT's rate to one site.",
    forgery: 'Spread events over many addresses and networks.',
  },
  cadence_network_burst: {
    group: 'cadence',
    kind: 'penalty',
    title: 'Burst from one network',
    description:
      "Too many other addresses of one network (an IPv4 /24 or IPv6 /48) sent beacons to this site in the last second, ten seconds or minute: a flood spread over the addresses of one network (a rented server range, a proxy pool's subnet) so that no address and no visitor stands out. It counts addresses, not beacons, so one address flooding is that address's finding and not its neighbours'. Real visitors of one network reach one site a few addresses at a time.",
    forgery: 'Spread events over addresses of many networks.',
  },
} as const satisfies Record<string, ReasonInfo>;
