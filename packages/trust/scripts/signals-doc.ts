// Regenerates the reason-code tables of docs/signals.md from REASON_CODES and DEFAULT_RULES,
// formatted with the repository's Prettier settings so that `npm run format` leaves it alone.
// test/docs.test.ts fails when the file and the code disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { spliceReasonTables } from '../src/docs.js';

const path = fileURLToPath(new URL('../../../docs/signals.md', import.meta.url));
const options = (await prettier.resolveConfig(path)) ?? {};
const next = await prettier.format(spliceReasonTables(readFileSync(path, 'utf8')), {
  ...options,
  filepath: path,
});
writeFileSync(path, next);
console.log(`updated ${path}`);
