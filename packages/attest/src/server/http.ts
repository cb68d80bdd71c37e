/**
 * node:http handlers the beacon mounts for the attestation experiment:
 *   GET  /.well-known/private-token-issuer-directory   issuer directory (RFC 9578 §4)
 *   POST /v1/attest/challenge                          TokenChallenge + proof-of-work challenge
 *   POST /v1/attest/issue                              TokenRequest(s) -> TokenResponse(s)
 * Framework-free (IncomingMessage/ServerResponse) so they sit on the beacon's plain ingest
 * server without Express. Nothing about the requester (IP, headers) is stored or logged here.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHALLENGE_PATH, ISSUE_PATH, type ChallengeResponseBody } from '../shared/api.js';
import { toBase64Url } from '../shared/bytes.js';
import { formatWwwAuthenticate } from '../shared/http-auth.js';
import { parsePowHeader, POW_HEADER } from '../shared/pow.js';
import {
  DIRECTORY_PATH,
  encodeTokenChallenge,
  MAX_BATCH,
  MEDIA_TYPE_BATCH_REQUEST,
  MEDIA_TYPE_BATCH_RESPONSE,
  MEDIA_TYPE_DIRECTORY,
  MEDIA_TYPE_TOKEN_REQUEST,
  MEDIA_TYPE_TOKEN_RESPONSE,
  NK,
  type TokenChallenge,
} from '../shared/wire.js';
import type { Attester } from './attester.js';
import { challengeForOrigin } from './challenges.js';
import { ATTEST_ERROR_CODES, AttestError, type AttestErrorCode } from './errors.js';
import type { Issuer } from './issuer.js';

export interface AttestHandlerOptions {
  issuer: Issuer;
  attester: Attester;
  /** issuer_name of the TokenChallenges (the beacon's public host name). */
  issuerName: string;
  /**
   * The TokenChallenge to hand this requester, or null to refuse. Default:
   * challengeForOrigin(issuerName, host of the request's Origin header), i.e. bound to the page
   * the embed runs on. The beacon must expect the same challenge at redemption.
   */
  tokenChallengeFor?: (
    req: IncomingMessage,
  ) => TokenChallenge | null | Promise<TokenChallenge | null>;
  /**
   * Extra attestation before a challenge is handed out (page token, request-shape signals,
   * rate limits). Resolve false to refuse with 403 not_admitted.
   */
  admit?: (req: IncomingMessage) => boolean | Promise<boolean>;
  /** Seconds the directory may be cached (default 300). */
  directoryMaxAge?: number;
  /** Called once per issuance (for metrics): how many tokens were signed. */
  onIssued?: (count: number) => void;
  /**
   * Records a solved challenge as used, before any token is signed; resolves false if it was used
   * already. Must be atomic across every issuer process (a unique insert). Without it a solution
   * can be replayed, each time costing the issuer the RSA signatures, until the challenge expires.
   */
  spendChallenge?: (challenge: string, expiresAtSeconds: number) => Promise<boolean>;
}

export interface AttestHandlers {
  directory(req: IncomingMessage, res: ServerResponse): void;
  challenge(req: IncomingMessage, res: ServerResponse): Promise<void>;
  issue(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Routes by path; resolves false when the request is not for an attest endpoint. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

const MAX_BODY = 2 + MAX_BATCH * (3 + NK);

// Tokens are requested from every client site's pages, and nothing here uses cookies or
// ambient credentials, so a wildcard origin is both necessary and safe.
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-allow-headers': `content-type, accept, ${POW_HEADER}`,
  'access-control-expose-headers': 'www-authenticate',
  'access-control-max-age': '600',
} as const;

function sendError(res: ServerResponse, code: AttestErrorCode, message: string = code): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(ATTEST_ERROR_CODES[code], {
    ...CORS,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new AttestError('body_too_large'));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        reject(new AttestError('body_too_large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

function defaultChallenge(issuerName: string): (req: IncomingMessage) => TokenChallenge | null {
  return (req) => {
    const origin = req.headers.origin;
    if (!origin) return null;
    try {
      const { host } = new URL(origin);
      return host ? challengeForOrigin(issuerName, host) : null;
    } catch {
      return null;
    }
  };
}

/**
 * @example
 * const attest = createAttestHandlers({ issuer, attester, issuerName: 'beacon.tagward.example' });
 * http.createServer(async (req, res) => {
 *   if (await attest.handle(req, res)) return;
 *   // … the beacon's own routes
 * });
 */
export function createAttestHandlers(options: AttestHandlerOptions): AttestHandlers {
  const challengeFor = options.tokenChallengeFor ?? defaultChallenge(options.issuerName);
  const maxAge = options.directoryMaxAge ?? 300;

  function failWith(res: ServerResponse, error: unknown): void {
    if (res.headersSent) return;
    if (error instanceof AttestError) sendError(res, error.code, error.message);
    else sendError(res, 'issuer_failure', 'internal error');
  }

  const handlers: AttestHandlers = {
    directory(_req, res) {
      const body = JSON.stringify(options.issuer.directory());
      res.writeHead(200, {
        ...CORS,
        'content-type': MEDIA_TYPE_DIRECTORY,
        'cache-control': `public, max-age=${maxAge}`,
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
    },

    async challenge(req, res) {
      try {
        if (options.admit && !(await options.admit(req))) throw new AttestError('not_admitted');
        const tokenChallenge = await challengeFor(req);
        if (!tokenChallenge)
          throw new AttestError('origin_required', 'no origin to bind tokens to');
        const challengeBytes = encodeTokenChallenge(tokenChallenge);
        const key = options.issuer.currentKey();
        const pow = options.attester.challenge();
        const payload: ChallengeResponseBody = {
          'token-challenge': toBase64Url(challengeBytes),
          'token-key': toBase64Url(key.spki),
          pow: {
            challenge: pow.challenge,
            bits: pow.bits,
            k: pow.k,
            'max-tokens': pow.maxTokens,
            'expires-at': pow.expiresAt,
          },
        };
        const body = JSON.stringify(payload);
        res.writeHead(200, {
          ...CORS,
          'content-type': 'application/json; charset=utf-8',
          'cache-control': 'no-store',
          'www-authenticate': formatWwwAuthenticate(challengeBytes, key.spki),
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      } catch (error) {
        failWith(res, error);
      }
    },

    async issue(req, res) {
      try {
        const type = mediaType(req);
        const batch = type === MEDIA_TYPE_BATCH_REQUEST;
        if (!batch && type !== MEDIA_TYPE_TOKEN_REQUEST)
          throw new AttestError('unsupported_media_type');
        const body = await readBody(req, MAX_BODY);
        const header = req.headers[POW_HEADER];
        const pow = typeof header === 'string' ? parsePowHeader(header) : null;
        if (!pow) throw new AttestError('pow_required');
        const verdict = options.attester.verifySolution(pow.challenge, pow.counters, body);
        if (!verdict.ok)
          throw new AttestError(
            verdict.reason === 'expired' ? 'pow_expired' : 'pow_invalid',
            verdict.reason,
          );
        if (options.spendChallenge && !(await options.spendChallenge(pow.challenge, verdict.expiresAt))) {
          throw new AttestError('pow_replayed', 'this proof of work was already used');
        }
        let response: Uint8Array;
        let count = 1;
        if (batch) ({ response, count } = options.issuer.issueBatch(body, verdict.maxTokens));
        else response = options.issuer.issue(body);
        options.onIssued?.(count);
        res.writeHead(200, {
          ...CORS,
          'content-type': batch ? MEDIA_TYPE_BATCH_RESPONSE : MEDIA_TYPE_TOKEN_RESPONSE,
          'cache-control': 'no-store',
          'content-length': response.length,
        });
        res.end(response);
      } catch (error) {
        failWith(res, error);
      }
    },

    async handle(req, res) {
      const path = (req.url ?? '/').split('?')[0];
      const routes: Record<string, { method: string; run: () => void | Promise<void> }> = {
        [DIRECTORY_PATH]: { method: 'GET', run: () => handlers.directory(req, res) },
        [CHALLENGE_PATH]: { method: 'POST', run: () => handlers.challenge(req, res) },
        [ISSUE_PATH]: { method: 'POST', run: () => handlers.issue(req, res) },
      };
      const route = path === undefined ? undefined : routes[path];
      if (!route) return false;
      if (req.method === 'OPTIONS') {
        res.writeHead(204, CORS);
        res.end();
      } else if (req.method === route.method || (route.method === 'GET' && req.method === 'HEAD')) {
        await route.run();
      } else {
        sendError(res, 'method_not_allowed');
      }
      return true;
    },
  };
  return handlers;
}
