// A single-page app: the API serves one fallback page for every URL and the browser renders
// everything. Nothing is rendered on a server, so no authenticated page ever is.
export const ssr = false;
export const prerender = false;
