import { describe, expect, test } from 'vitest';
import { ALL_REASON_CODES, REASON_CODES, SIGNAL_GROUPS, type SignalGroup } from '../src/index.js';
import { ATTESTATION_CODES } from '../src/codes/attestation.js';
import { BLOCKLIST_CODES } from '../src/codes/blocklist.js';
import { CADENCE_CODES } from '../src/codes/cadence.js';
import { ORIGIN_CODES } from '../src/codes/origin.js';
import { PAGE_TOKEN_CODES } from '../src/codes/page-token.js';
import { REFERRER_CODES } from '../src/codes/referrer.js';
import { REQUEST_SHAPE_CODES } from '../src/codes/request-shape.js';
import { TIMING_CODES } from '../src/codes/timing.js';

const FILES: ReadonlyArray<[SignalGroup, Record<string, { group: SignalGroup }>]> = [
  ['origin', ORIGIN_CODES],
  ['referrer', REFERRER_CODES],
  ['page_token', PAGE_TOKEN_CODES],
  ['timing', TIMING_CODES],
  ['cadence', CADENCE_CODES],
  ['request_shape', REQUEST_SHAPE_CODES],
  ['attestation', ATTESTATION_CODES],
  ['blocklist', BLOCKLIST_CODES],
];

describe('the reason-code catalogue', () => {
  test.each(FILES)('the %s file holds only codes of its own group', (group, codes) => {
    const strays = Object.entries(codes).filter(([, info]) => info.group !== group);
    expect(strays.map(([code]) => code)).toEqual([]);
  });

  test('is assembled from every group file, in judging order, with no code lost or shadowed', () => {
    expect(FILES.map(([group]) => group)).toEqual(SIGNAL_GROUPS);
    expect(ALL_REASON_CODES).toEqual(FILES.flatMap(([, codes]) => Object.keys(codes)));
  });

  test('lists the codes grouped by signal, in the order the engine judges them', () => {
    const order = ALL_REASON_CODES.map((code) => SIGNAL_GROUPS.indexOf(REASON_CODES[code].group));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});
