import type { RequestHandler } from 'express';

/**
 * Headers for every response. The CSP allows only our own scripts, so even a rendering bug
 * that let DOM-check data (which comes from pages we do not control) into markup could not run
 * script. Styles allow inline attributes because Svelte and Chart.js set element styles.
 */
const directives = (scriptSources: string[]) => [
  "default-src 'self'",
  ["script-src 'self'", ...scriptSources].join(' '),
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** The policy, with extra script sources (hashes of a page's own inline scripts) where needed. */
export function contentSecurityPolicy(scriptSources: string[] = []): string {
  return directives(scriptSources).join('; ');
}

const CSP = contentSecurityPolicy();

export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
  next();
};

/**
 * Features the dashboard never uses, off for it and anything it could be made to embed. Sent to
 * every response, in development too: it costs nothing there.
 */
export const PERMISSIONS_POLICY = 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()';

/**
 * Production only: HSTS (two years; browsers then refuse plain http to this host, which would
 * lock out a developer's localhost, hence not in development).
 */
export const productionHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Strict-Transport-Security', 'max-age=63072000; includeSubDomains');
  next();
};
