import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig, loadEnv } from 'vite';
import { loadDevConfig } from './config.js';

export default defineConfig(({ mode }) => {
  const config = loadDevConfig(loadEnv(mode, import.meta.dirname, 'TAGWARD_'));
  return {
    plugins: [sveltekit()],
    // In development the dashboard runs on Vite's server and forwards /trpc to the API, so the
    // browser sees one origin (cookies and the API's same-origin check work unchanged); also the
    // export downloads and the Stats API's OpenAPI document the Integrations pages link to.
    server: {
      proxy: {
        '/trpc': { target: config.apiUrl, changeOrigin: false },
        '/exports': { target: config.apiUrl, changeOrigin: false },
        '/api/v1': { target: config.apiUrl, changeOrigin: false },
      },
    },
    // No source maps in the build: the API serves it to everyone (and refuses .map in production).
    build: { sourcemap: false },
  };
});
