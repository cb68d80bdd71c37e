/**
 * Makes sure the embedded database server is on this machine before tests or the demo start:
 * builds SecantusDB once (about 6 minutes on 2 cores, with progress) or installs its Python
 * server, unless MONGODB_URI points at a server or a `mongod` is on PATH. Run by `npm test` and
 * `npm start` (their `pre` scripts), so a long first build shows its progress in one place
 * instead of inside a test's setup.
 */
import { findEngine, type EnginePreference } from '../src/embedded/engines.js';

if (process.env.MONGODB_URI) {
  console.log('[db] MONGODB_URI is set: no embedded server needed');
} else {
  const preference = (process.env.TAGWARD_EMBEDDED_DB || 'auto') as EnginePreference;
  const engine = await findEngine({ preference, log: (line) => console.log(`[db] ${line}`) });
  console.log(`[db] embedded server ready: ${engine.kind} (${engine.binary})`);
}
