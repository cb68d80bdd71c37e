import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

// The kit plugin resolves `$lib` and `$app/*` as in the app, so tests import modules the same way.
export default defineConfig({
  plugins: [sveltekit()],
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], environment: 'node' },
});
