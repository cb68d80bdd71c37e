import type { Request, Response } from 'express';
import type { Database } from '@tagward/db';
import {
  readSessionToken,
  serializeBlankSessionCookie,
  serializeSessionCookie,
  shouldUseSecureCookie,
  validateSessionToken,
  verifyRequestOrigin,
  type OriginCheck,
  type SessionRecord,
  type SessionUser,
} from '@tagward/auth';
import type { ApiConfig } from './config.js';
import type { Services } from './services/index.js';

/** What a procedure knows about the HTTP request, computed once by the adapter. */
export interface RequestInfo {
  /** Client IP (behind a proxy only when `trustProxy` is on). */
  ip: string;
  /** CSRF verdict for this request: mutations are refused unless it is ok. */
  originCheck: OriginCheck;
  /** Whether cookies set on this response carry `Secure`. */
  secureCookies: boolean;
}

/** How procedures set or clear the session cookie without touching Express. */
export interface SessionCookieWriter {
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

export interface Context {
  db: Database;
  config: ApiConfig;
  services: Services;
  session: SessionRecord | null;
  user: SessionUser | null;
  request: RequestInfo;
  cookies: SessionCookieWriter;
  now: () => Date;
}

export interface CreateContextInnerOptions {
  db: Database;
  config: ApiConfig;
  services: Services;
  session?: SessionRecord | null;
  user?: SessionUser | null;
  request?: Partial<RequestInfo>;
  cookies?: SessionCookieWriter;
  now?: () => Date;
}

/**
 * The plain context, free of HTTP: server-side callers and tests build it directly. Defaults
 * describe a same-origin request from loopback.
 */
export function createContextInner(options: CreateContextInnerOptions): Context {
  return {
    db: options.db,
    config: options.config,
    services: options.services,
    session: options.session ?? null,
    user: options.user ?? null,
    request: {
      ip: options.request?.ip ?? '127.0.0.1',
      originCheck: options.request?.originCheck ?? { ok: true },
      secureCookies: options.request?.secureCookies ?? false,
    },
    cookies: options.cookies ?? { set: () => undefined, clear: () => undefined },
    now: options.now ?? (() => new Date()),
  };
}

export interface ExpressContextDeps {
  db: Database;
  config: ApiConfig;
  services: Services;
  now?: () => Date;
}

/** Whether this request's session cookie is the `__Host-` one: always in production, whatever the request looks like. */
export function requestUsesSecureCookies(config: ApiConfig, req: Request): boolean {
  return (
    config.production ||
    shouldUseSecureCookie(config.cookieSecure, {
      protocol: req.protocol,
      hostname: req.hostname,
    })
  );
}

/**
 * The Express adapter's context: reads the session cookie (sliding its expiry), runs the origin
 * check, and gives procedures a way to set cookies on this response.
 */
export function createExpressContextFactory(deps: ExpressContextDeps) {
  const now = deps.now ?? (() => new Date());
  return async ({ req, res }: { req: Request; res: Response }): Promise<Context> => {
    const secureCookies = requestUsesSecureCookies(deps.config, req);
    const cookies: SessionCookieWriter = {
      set: (token, expiresAt) => res.append('Set-Cookie', serializeSessionCookie(token, expiresAt, secureCookies)),
      clear: () => res.append('Set-Cookie', serializeBlankSessionCookie(secureCookies)),
    };

    let session: SessionRecord | null = null;
    let user: SessionUser | null = null;
    const token = readSessionToken(req.headers.cookie, secureCookies);
    if (token) {
      const validated = await validateSessionToken(deps.db, token, now(), deps.services.sessionLifetime);
      if (validated) {
        session = validated.session;
        user = validated.user;
        if (validated.renewed) cookies.set(token, validated.session.expiresAt);
      } else {
        // A dead token: drop it so the browser stops sending it.
        cookies.clear();
      }
    }

    const header = (name: string): string | undefined => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const originCheck = verifyRequestOrigin({
      origin: header('origin'),
      secFetchSite: header('sec-fetch-site'),
      host: header('host'),
      trustedOrigins: deps.config.trustedOrigins,
    });

    return createContextInner({
      db: deps.db,
      config: deps.config,
      services: deps.services,
      session,
      user,
      request: { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', originCheck, secureCookies },
      cookies,
      now,
    });
  };
}
