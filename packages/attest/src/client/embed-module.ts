/**
 * The lazily loaded module of the attestation experiment (`attest-v1.js`). The embed core loads it
 * only for page views drawn into the cohort, so the core stays within its size budget. It fetches
 * a batch of Privacy Pass tokens from the beacon (after the proof of work), keeps them per tab,
 * and registers a synchronous provider that puts one token on each beacon
 * (`tagward.push(['attest', provider])`, see docs/embed.md "Attestation hook").
 */
import { createAttestClient } from './client.js';
import { memoryTokenStore, sessionTokenStore, type StorageLike, type TokenStore } from './token-store.js';

type Command = [string, ...unknown[]];

/** The few browser globals this module touches (the package compiles without the DOM library). */
interface PageGlobals {
  tagward?: { push(command: Command): unknown } | Command[];
  sessionStorage: StorageLike;
  location: { href: string };
  document: { currentScript: { src?: string } | null };
}

const page = globalThis as unknown as PageGlobals;

function tabStore(): TokenStore {
  try {
    return sessionTokenStore(page.sessionStorage);
  } catch {
    return memoryTokenStore();
  }
}

function start(): void {
  // The module is served by the beacon, which is also the token issuer.
  const issuerUrl = new URL(page.document.currentScript?.src ?? '/', page.location.href).origin;
  const client = createAttestClient({ issuerUrl, store: tabStore() });
  // Tokens ready for the synchronous provider; the store keeps the rest for later pages.
  const stock: string[] = [];
  let registered = false;

  const restock = async (): Promise<void> => {
    const token = await client.token();
    if (!token) return;
    stock.push(token);
    if (!registered) {
      registered = true;
      const queue = (page.tagward ??= []);
      queue.push(['attest', provide]);
    }
  };

  function provide(payload: { att?: string }): void {
    const token = stock.shift();
    if (token) payload.att = token;
    // Refill in the background for the next view of this page (single-page apps).
    void restock().catch(() => undefined);
  }

  void restock().catch(() => undefined);
}

try {
  start();
} catch {
  // Never break the host page: without tokens the beacon simply goes without attestation.
}
