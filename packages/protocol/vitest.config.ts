import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Property tests run thousands of cases; on a loaded two-core CI machine they need headroom.
    testTimeout: 60_000,
  },
});
