// Regenerates the reason-code tables of docs/signals.md from REASON_CODES and DEFAULT_RULES.
// test/docs.test.ts fails when the file and the code disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spliceReasonTables } from '../src/docs.js';

const path = fileURLToPath(new URL('../../../docs/signals.md', import.meta.url));
const next = spliceReasonTables(readFileSync(path, 'utf8'));
writeFileSync(path, next);
console.log(`updated ${path}`);
