import { describe, expect, test } from 'vitest';
import { CHECK_IDS, CHECK_ID_PATTERN, checkResultSchema } from './index.js';

describe('CHECK_IDS', () => {
  test.each(CHECK_IDS)('%s is a valid wire id', (id) => {
    expect(id).toMatch(CHECK_ID_PATTERN);
    expect(checkResultSchema.parse({ id, pass: true, value: 1 })).toEqual({
      id,
      pass: true,
      value: 1,
    });
  });

  test('lists every id once', () => {
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
  });
});
