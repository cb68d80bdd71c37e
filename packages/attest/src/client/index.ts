/**
 * Browser entry of @tagward/attest (bundled by the embed as a lazily loaded module). Imports
 * nothing from Node: WebCrypto, BigInt, fetch and (optionally) sessionStorage only.
 */
export { createAttestClient } from './client.js';
export type { AttestClient, AttestClientOptions, RefillReport } from './client.js';
export { solvePow } from './pow-solver.js';
export type { PowSolution, SolveOptions } from './pow-solver.js';
export { memoryTokenStore, sessionTokenStore } from './token-store.js';
export type { StorageLike, TokenStore } from './token-store.js';
export { formatAuthorization } from '../shared/http-auth.js';
