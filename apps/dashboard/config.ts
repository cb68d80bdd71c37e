/**
 * The dashboard's build-time configuration: the only place in this app that looks at the
 * environment. The app itself has no runtime configuration: it talks to `/trpc` on its own origin.
 */
export interface DashboardDevConfig {
  /** Where the dev server forwards `/trpc` (the API). */
  apiUrl: string;
}

const DEFAULT_API_URL = 'http://127.0.0.1:4000';

/** `env` is what Vite's `loadEnv` read (the process environment and any `.env` files). */
export function loadDevConfig(env: Record<string, string | undefined>): DashboardDevConfig {
  const raw = env.TAGWARD_API_URL || DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`TAGWARD_API_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`TAGWARD_API_URL must be http(s): ${raw}`);
  return { apiUrl: url.origin };
}
