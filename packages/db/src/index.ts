export {
  acquireEmbeddedServer,
  resolveDatabase,
  defaultDataDir,
  findRepoRoot,
  startServer,
  stopServer,
  type ServerState,
  EmbeddedDatabaseError,
  FERRETDB_VERSION,
  type EmbeddedServer,
  type DatabaseHandle,
  type AcquireOptions,
} from './embedded.js';
export { connectDatabase, ensureIndexes, type Database } from './connection.js';
export { registerModels, type Models } from './models/index.js';
export type { UserDoc } from './models/user.js';
export type { SessionDoc } from './models/session.js';
export type { SiteDoc } from './models/site.js';
export type { SecretKeyDoc } from './models/secret-key.js';
export type { EventDoc } from './models/event.js';
