/**
 * Double spends across processes: two verifiers — this test process and a separate Node process
 * — with their own connections to the same real database redeem the same tokens at the same
 * time. The unique _id of SpentNonce must let exactly one of them win each token.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectDatabase, type Database } from '@tagward/db';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { createIssuer } from '../src/server/issuer.js';
import { createVerifier } from '../src/server/verify.js';
import { challengeFor, generateKeys, mintTokens } from './helpers.js';
import { mongoSpend } from './db-spend.js';

let testDb: TestDatabase;
let otherConnection: Database;
const siteId = new mongoose.Types.ObjectId();

beforeAll(async () => {
  testDb = await createTestDatabase('attest_spend');
  otherConnection = await connectDatabase(testDb.uri, testDb.dbName);
});
afterAll(async () => {
  await otherConnection?.close();
  await testDb?.dispose();
});

function runSecondVerifier(job: unknown): Promise<string[]> {
  const script = fileURLToPath(new URL('./second-verifier.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as string[])
        : reject(new Error(`verifier exited ${code}: ${err}`)),
    );
    child.stdin.end(JSON.stringify(job));
  });
}

const issuer = createIssuer({
  keys: generateKeys(1).map((pem) => ({ privateKey: pem, notBefore: 1_700_000_000 })),
});
const challenge = challengeFor('shop.example');

test('two verifier processes sharing the database accept each token exactly once', async () => {
  const { tokens } = await mintTokens(issuer, challenge, 12);
  const publicKeys = issuer.verificationKeys();
  const local = createVerifier({ publicKeys });
  const spend = mongoSpend(testDb, siteId, new Date(Date.now() + 3600_000));
  const [remote, here] = await Promise.all([
    runSecondVerifier({
      uri: testDb.uri,
      dbName: testDb.dbName,
      siteId: siteId.toHexString(),
      publicKeys,
      challenge,
      tokens,
    }),
    Promise.all(
      tokens.map(
        async (t) => (await local.verify(t, { expectedChallenge: challenge, spend })).outcome,
      ),
    ),
  ]);
  for (let i = 0; i < tokens.length; i++) {
    expect([here[i], remote[i]].sort()).toEqual(['double_spent', 'valid']);
  }
  expect(await testDb.models.SpentNonce.countDocuments({ _id: /^pp:/ })).toBe(tokens.length);
});

test('two connections in one process racing on the same token: one valid, one double_spent', async () => {
  const [token] = (await mintTokens(issuer, challenge, 1)).tokens as [string];
  const publicKeys = issuer.verificationKeys();
  const expires = new Date(Date.now() + 3600_000);
  const a = createVerifier({ publicKeys });
  const b = createVerifier({ publicKeys });
  const outcomes = await Promise.all([
    a.verify(token, { expectedChallenge: challenge, spend: mongoSpend(testDb, siteId, expires) }),
    b.verify(token, {
      expectedChallenge: challenge,
      spend: mongoSpend(otherConnection, siteId, expires),
    }),
  ]);
  expect(outcomes.map((o) => o.outcome).sort()).toEqual(['double_spent', 'valid']);
});
