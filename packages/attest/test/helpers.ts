/** Test fixtures: issuer keys, an in-process client (same shared code as the browser client). */
import { randomBytes, sha256, toBase64Url } from '../src/shared/bytes.js';
import { blind, finalize, rsaPublicKey } from '../src/shared/rsabssa.js';
import { parseRsaPssSpki } from '../src/shared/spki.js';
import {
  TOKEN_TYPE_BLIND_RSA,
  decodeBatchResponse,
  encodeBatchRequest,
  encodeToken,
  encodeTokenChallenge,
  encodeTokenInput,
  type TokenChallenge,
} from '../src/shared/wire.js';
import { generateIssuerKeyPem } from '../src/server/keys.js';
import type { Issuer } from '../src/server/issuer.js';
import type { PublicTokenKey } from '../src/server/keys.js';

export const T0 = 1_750_000_000;

export function generateKeys(count: number): string[] {
  return Array.from({ length: count }, () => generateIssuerKeyPem());
}

export function challengeFor(
  originHost: string,
  issuerName = 'beacon.tagward.test',
): TokenChallenge {
  return {
    tokenType: TOKEN_TYPE_BLIND_RSA,
    issuerName,
    redemptionContext: new Uint8Array(0),
    originInfo: [originHost],
  };
}

export interface Minted {
  /** base64url tokens, as the client stores them. */
  tokens: string[];
  /** What went over the wire to the issuer. */
  request: Uint8Array;
  /** What came back. */
  response: Uint8Array;
}

/** Blinds, issues (no proof of work: that is the attester's test) and finalizes `count` tokens. */
export async function mintTokens(
  issuer: Issuer,
  challenge: TokenChallenge,
  count: number,
  key: PublicTokenKey = issuer.currentKey(),
): Promise<Minted> {
  const { n, e } = parseRsaPssSpki(key.spki);
  const pk = rsaPublicKey(n, e);
  const digest = await sha256(encodeTokenChallenge(challenge));
  const pending = [];
  for (let i = 0; i < count; i++) {
    const fields = {
      tokenType: TOKEN_TYPE_BLIND_RSA,
      nonce: randomBytes(32),
      challengeDigest: digest,
      tokenKeyId: key.keyId,
    };
    const input = encodeTokenInput(fields);
    pending.push({ fields, input, blinded: await blind(pk, input) });
  }
  const request = encodeBatchRequest(
    pending.map((p) => ({
      tokenType: TOKEN_TYPE_BLIND_RSA,
      truncatedTokenKeyId: key.keyId[31] as number,
      blindedMsg: p.blinded.blindedMsg,
    })),
  );
  const { response } = issuer.issueBatch(request);
  const sigs = decodeBatchResponse(response);
  const tokens: string[] = [];
  for (const [i, p] of pending.entries()) {
    const authenticator = await finalize(pk, p.input, sigs[i] as Uint8Array, p.blinded.inv);
    tokens.push(toBase64Url(encodeToken({ ...p.fields, authenticator })));
  }
  return { tokens, request, response };
}

/** A per-process spent set: enough for single-verifier tests (the DB test covers many). */
export function memorySpend(): (nonce: string) => Promise<boolean> {
  const spent = new Set<string>();
  return async (nonce) => {
    if (spent.has(nonce)) return false;
    spent.add(nonce);
    return true;
  };
}
