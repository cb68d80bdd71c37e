import adapter from '@sveltejs/adapter-static';

/**
 * A single-page app: nothing is rendered on a server (every page but the login form needs the
 * session, which only the browser has). adapter-static writes the client build and one fallback
 * page that the API sends for every dashboard URL (`apps/api/src/http/dashboard.ts`).
 *
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', fallback: '200.html', strict: true }),
    // The API's CSP allows our own scripts only; it adds the hash of the fallback page's one inline
    // boot script itself, so nothing here needs `unsafe-inline`.
    output: { preloadStrategy: 'modulepreload' },
  },
};

export default config;
