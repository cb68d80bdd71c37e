/**
 * Writes the Stats API's OpenAPI document to docs/openapi.json (the copy the docs link to).
 * `test/openapi.test.ts` fails when the committed copy differs from what the server serves.
 *
 *   npm run openapi -w @tagward/api
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from '../src/rest/openapi.js';

export const OPENAPI_FILE = fileURLToPath(new URL('../../../docs/openapi.json', import.meta.url));

fs.writeFileSync(OPENAPI_FILE, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${OPENAPI_FILE}`);
