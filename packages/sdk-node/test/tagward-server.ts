/**
 * A stand-in for the Tagward side in SDK tests, built from the real pieces: a real database,
 * keys generated and stored as the API service stores them, the real verifier, and the real
 * verify-API handler behind a node:http server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { secretKeyLookup, type Database } from '@tagward/db';
import {
  VERIFY_BEACON_PATH,
  createNonceSpender,
  createTokenVerifier,
  generatePublishableKey,
  generateSecretKey,
  handleVerifyRequest,
  storedSecretKey,
  type GeneratedSecretKey,
  type StoredBeacon,
  type TokenVerifier,
  type VerifyRequestDeps,
} from '@tagward/keys';

export const masterKey = randomBytes(32);

export interface SeededSite {
  siteId: string;
  publishableKey: string;
  key: GeneratedSecretKey;
}

export async function seedSite(db: Database, name: string): Promise<SeededSite> {
  const publishableKey = generatePublishableKey('live');
  const site = await db.models.Site.create({ name, publicKey: publishableKey, mode: 'live' });
  const key = generateSecretKey({ mode: 'live', masterKey });
  await db.models.SecretKey.create({ siteId: site._id, ...storedSecretKey(key) });
  return { siteId: String(site._id), publishableKey, key };
}

export async function storeEvent(
  db: Database,
  siteId: string,
  event: Pick<StoredBeacon, 'score' | 'verdict' | 'reasons'> & { eventId?: string },
): Promise<string> {
  const eventId = event.eventId ?? `evt_${randomBytes(8).toString('hex')}`;
  await db.models.Event.create({
    siteId,
    eventId,
    receivedAt: new Date(),
    page: { url: 'https://shop.example/', path: '/', referrer: '' },
    signals: {},
    score: event.score,
    verdict: event.verdict,
    reasons: [...event.reasons],
    rulesVersion: 1,
    visitorHash: 'test',
  });
  return eventId;
}

export function verifierFor(db: Database): TokenVerifier {
  return createTokenVerifier({
    masterKey,
    lookupKey: secretKeyLookup(db),
    spendNonce: createNonceSpender((doc) => db.models.SpentNonce.create(doc)),
  });
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export function listen(server: http.Server): Promise<RunningServer> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const VERIFY_ROUTE = new RegExp(`^${VERIFY_BEACON_PATH.replace(':id', '([^/]+)')}$`);

/** The verify API as the beacon serves it. */
export function startVerifyServer(
  db: Database,
  extra: Partial<Pick<VerifyRequestDeps, 'rateLimit' | 'now'>> = {},
): Promise<RunningServer> {
  const deps: VerifyRequestDeps = {
    lookupKey: secretKeyLookup(db),
    findEvent: async (siteId, eventId) => {
      const doc = await db.models.Event.findOne({ siteId, eventId }).lean();
      if (!doc) return undefined;
      return {
        eventId: doc.eventId,
        receivedAt: doc.receivedAt,
        score: doc.score,
        verdict: doc.verdict,
        reasons: doc.reasons as StoredBeacon['reasons'],
      };
    },
    now: extra.now ?? Date.now,
    ...(extra.rateLimit ? { rateLimit: extra.rateLimit } : {}),
  };
  const server = http.createServer(async (req, res) => {
    const match = VERIFY_ROUTE.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'GET' || !match?.[1]) {
      res.writeHead(404).end();
      return;
    }
    const answer = await handleVerifyRequest(
      { authorization: req.headers.authorization, eventId: decodeURIComponent(match[1]) },
      deps,
    );
    res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
  });
  return listen(server);
}
