import type { ReasonInfo } from './reason-info.js';

/**
 * Reason codes of the attestation signal group.
 * The Privacy Pass attestation of the experiment cohort.
 */
export const ATTESTATION_CODES = {
  attestation_valid: {
    group: 'attestation',
    kind: 'bonus',
    title: 'Valid attestation',
    description:
      'A Privacy Pass token issued after a challenge was redeemed with this event: someone paid the work for it.',
    forgery: 'Solve the challenge for every token: possible, but it costs work per event.',
  },
  attestation_absent: {
    group: 'attestation',
    kind: 'penalty',
    title: 'No attestation',
    description: 'No attestation token. Normal outside the experiment cohort; weighs 0 by default.',
    forgery: 'Nothing to forge.',
  },
  attestation_invalid: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation invalid',
    description: 'The attestation token does not verify.',
    forgery: 'Obtain a real token by solving the challenge.',
  },
  attestation_double_spent: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation reused',
    description: 'The attestation token was already redeemed.',
    forgery: 'Obtain a new token per event.',
  },
  attestation_wrong_origin: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation for another origin',
    description: 'The attestation token was issued for another origin.',
    forgery: 'Obtain a token for the claimed origin.',
  },
  attestation_expired_key: {
    group: 'attestation',
    kind: 'penalty',
    title: 'Attestation from a retired issuer key',
    description: 'The token was issued under an issuer key that has since been rotated out.',
    forgery: 'Obtain a fresh token.',
  },
} as const satisfies Record<string, ReasonInfo>;
