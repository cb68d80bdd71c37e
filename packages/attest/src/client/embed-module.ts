/**
 * The lazily loaded module of the attestation experiment (`attest-v1.js`). The embed core loads it
 * only for page views drawn into the cohort, so the core stays within its size budget. It fetches
 * a batch of Privacy Pass tokens from the beacon (after the proof of work), keeps them per tab,
 * and registers a synchronous provider that puts one token on each beacon
 * (`tagward.push(['attest', provider])`, see docs/embed.md "Attestation hook").
 */
import { createAttestClient } from './client.js';
import { memoryTokenStore, sessionTokenStore, type TokenStore } from './token-store.js';

type Command = [string, ...unknown[]];
interface TagwardWindow {
  tagward?: { push(command: Command): unknown } | Command[];
}

function tabStore(): TokenStore {
  try {
    return sessionTokenStore(window.sessionStorage);
  } catch {
    return memoryTokenStore();
  }
}

function start(): void {
  const script = document.currentScript as HTMLScriptElement | null;
  const issuerUrl = new URL(script?.src ?? '/', location.href).origin;
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
      const w = window as unknown as TagwardWindow;
      const queue = (w.tagward ??= []);
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
