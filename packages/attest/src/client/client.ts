/**
 * Browser client of the attestation experiment: fetch a challenge, blind N token inputs, solve
 * the proof of work over that batch, get it signed in one request, unblind, keep the tokens for
 * this tab, and hand one out per redemption. Only WebCrypto, BigInt and fetch: no Node APIs.
 */
import type { ChallengeResponseBody } from '../shared/api.js';
import { CHALLENGE_PATH } from '../shared/api.js';
import { fromBase64Url, randomBytes, sha256, toBase64Url } from '../shared/bytes.js';
import { formatAuthorization } from '../shared/http-auth.js';
import { formatPowHeader } from '../shared/pow.js';
import { blind, finalize, rsaPublicKey, type RsaPublicKey } from '../shared/rsabssa.js';
import { parseRsaPssSpki } from '../shared/spki.js';
import {
  DIRECTORY_PATH,
  MEDIA_TYPE_BATCH_REQUEST,
  MEDIA_TYPE_BATCH_RESPONSE,
  NK,
  NONCE_LENGTH,
  TOKEN_TYPE_BLIND_RSA,
  decodeBatchResponse,
  encodeBatchRequest,
  encodeToken,
  encodeTokenInput,
  tokenKeyId,
} from '../shared/wire.js';
import { solvePow, type SolveOptions } from './pow-solver.js';
import { memoryTokenStore, type TokenStore } from './token-store.js';

export interface AttestClientOptions {
  /** Base URL of the issuer (the beacon), e.g. 'https://beacon.tagward.example'. */
  issuerUrl: string;
  /** Tokens to ask for per refill; capped by the challenge's max-tokens. Default: the cap. */
  batchSize?: number;
  store?: TokenStore;
  fetch?: typeof fetch;
  pow?: SolveOptions;
}

export interface RefillReport {
  issued: number;
  /** Milliseconds spent on each phase, for the experiment's cost figures. */
  timings: { challenge: number; blind: number; pow: number; issue: number; finalize: number };
  powAttempts: number;
}

export interface AttestClient {
  /** Runs one issuance round; resolves with what it cost. */
  refill(): Promise<RefillReport>;
  /** One unspent token (base64url) for the beacon payload's `att` field, refilling if empty. */
  token(): Promise<string | null>;
  /** `Authorization: PrivateToken token="…"` value for a token from {@link token}. */
  authorization(token: string): string;
  count(): number;
}

interface DirectoryKey {
  spki: Uint8Array;
  keyId: Uint8Array;
  pk: RsaPublicKey;
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 10) / 10;
}

export function createAttestClient(options: AttestClientOptions): AttestClient {
  const base = options.issuerUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const store = options.store ?? memoryTokenStore();
  const namespace = base;
  let directory: Promise<{ keys: DirectoryKey[]; requestUrl: string }> | null = null;
  let inflight: Promise<RefillReport> | null = null;

  async function loadDirectory() {
    const url = base + DIRECTORY_PATH;
    // Plain cacheable GET: every visitor sees the same directory, which is what keeps the
    // issuer from handing each visitor its own key (key consistency, RFC 9576 §6.2).
    const res = await doFetch(url, { method: 'GET', credentials: 'omit' });
    if (!res.ok) throw new Error(`directory: HTTP ${res.status}`);
    const body = (await res.json()) as { 'issuer-request-uri'?: unknown; 'token-keys'?: unknown };
    if (!Array.isArray(body['token-keys']) || typeof body['issuer-request-uri'] !== 'string') {
      throw new Error('directory: malformed');
    }
    const keys: DirectoryKey[] = [];
    for (const entry of body['token-keys'] as Array<Record<string, unknown>>) {
      if (entry['token-type'] !== TOKEN_TYPE_BLIND_RSA || typeof entry['token-key'] !== 'string')
        continue;
      const spki = fromBase64Url(entry['token-key']);
      const { n, e } = parseRsaPssSpki(spki);
      const pk = rsaPublicKey(n, e);
      if (pk.kLen !== NK) continue;
      keys.push({ spki, keyId: await tokenKeyId(spki), pk });
    }
    return { keys, requestUrl: new URL(body['issuer-request-uri'], url).toString() };
  }

  async function refillOnce(): Promise<RefillReport> {
    let t = performance.now();
    directory ??= loadDirectory().catch((error: unknown) => {
      directory = null;
      throw error;
    });
    const dir = await directory;
    const res = await doFetch(base + CHALLENGE_PATH, { method: 'POST', credentials: 'omit' });
    if (!res.ok) throw new Error(`challenge: HTTP ${res.status}`);
    const offer = (await res.json()) as ChallengeResponseBody;
    const offeredKey = fromBase64Url(offer['token-key']);
    const key = dir.keys.find(
      (k) => k.spki.length === offeredKey.length && k.spki.every((b, i) => b === offeredKey[i]),
    );
    if (!key) {
      // A key outside the public directory could single this visitor out: refuse it.
      directory = null;
      throw new Error('challenge names a key that is not in the directory');
    }
    const challengeBytes = fromBase64Url(offer['token-challenge']);
    const timings = { challenge: elapsed(t), blind: 0, pow: 0, issue: 0, finalize: 0 };

    t = performance.now();
    const count = Math.max(
      1,
      Math.min(options.batchSize ?? offer.pow['max-tokens'], offer.pow['max-tokens']),
    );
    const digest = await sha256(challengeBytes);
    const pending = [];
    for (let i = 0; i < count; i++) {
      const input = {
        tokenType: TOKEN_TYPE_BLIND_RSA,
        nonce: randomBytes(NONCE_LENGTH),
        challengeDigest: digest,
        tokenKeyId: key.keyId,
      };
      const tokenInput = encodeTokenInput(input);
      pending.push({ input, tokenInput, blinded: await blind(key.pk, tokenInput) });
    }
    const body = encodeBatchRequest(
      pending.map((p) => ({
        tokenType: TOKEN_TYPE_BLIND_RSA,
        truncatedTokenKeyId: key.keyId[31] as number,
        blindedMsg: p.blinded.blindedMsg,
      })),
    );
    timings.blind = elapsed(t);

    t = performance.now();
    const solution = await solvePow(offer.pow.challenge, body, options.pow);
    timings.pow = elapsed(t);

    t = performance.now();
    const issued = await doFetch(dir.requestUrl, {
      method: 'POST',
      credentials: 'omit',
      headers: {
        'content-type': MEDIA_TYPE_BATCH_REQUEST,
        accept: MEDIA_TYPE_BATCH_RESPONSE,
        'tagward-pow': formatPowHeader(offer.pow.challenge, solution.counters),
      },
      body: body as Uint8Array<ArrayBuffer>,
    });
    if (!issued.ok) throw new Error(`issue: HTTP ${issued.status}`);
    const sigs = decodeBatchResponse(new Uint8Array(await issued.arrayBuffer()));
    if (sigs.length !== pending.length) throw new Error('issue: wrong number of signatures');
    timings.issue = elapsed(t);

    t = performance.now();
    const tokens: string[] = [];
    for (const [i, p] of pending.entries()) {
      const authenticator = await finalize(
        key.pk,
        p.tokenInput,
        sigs[i] as Uint8Array,
        p.blinded.inv,
      );
      tokens.push(toBase64Url(encodeToken({ ...p.input, authenticator })));
    }
    store.add(namespace, tokens);
    timings.finalize = elapsed(t);
    return { issued: tokens.length, timings, powAttempts: solution.attempts };
  }

  function refill(): Promise<RefillReport> {
    // One round at a time: concurrent callers share it instead of solving the work twice.
    inflight ??= refillOnce().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    refill,
    async token() {
      const stored = store.take(namespace);
      if (stored !== null) return stored;
      try {
        await refill();
      } catch {
        return null;
      }
      return store.take(namespace);
    },
    authorization(token) {
      return formatAuthorization(fromBase64Url(token));
    },
    count() {
      return store.count(namespace);
    },
  };
}
