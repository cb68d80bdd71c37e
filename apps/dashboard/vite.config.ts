import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// In development the dashboard runs on Vite's server and forwards /trpc to the API, so the
// browser sees one origin (cookies and the API's same-origin check work unchanged).
const apiUrl = process.env.TAGWARD_API_URL ?? 'http://127.0.0.1:4000';

export default defineConfig({
  plugins: [svelte()],
  server: { proxy: { '/trpc': { target: apiUrl, changeOrigin: false } } },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
