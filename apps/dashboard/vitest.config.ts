import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The kit plugin resolves `$lib` and `$app/*` as in the app, so tests import modules the same way.
  plugins: [sveltekit()],
  // A DOM environment, so modules with runes are compiled for the browser as in the app (compiled
  // for a server, `$state` and `$derived` are not reactive) and `$app/*` is the client's.
  test: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], environment: 'happy-dom' },
});
