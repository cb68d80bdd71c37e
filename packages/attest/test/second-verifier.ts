/**
 * A second, independent verifier process for the double-spend test: its own Node process, its
 * own database connection, the same public keys. Reads a JSON job from stdin, prints outcomes.
 */
import mongoose from 'mongoose';
import { connectDatabase } from '@tagward/db';
import { createVerifier } from '../src/server/verify.js';
import type { VerificationKey } from '../src/server/keys.js';
import type { TokenChallenge } from '../src/shared/wire.js';
import { mongoSpend } from './db-spend.js';

interface Job {
  uri: string;
  dbName: string;
  siteId: string;
  publicKeys: VerificationKey[];
  challenge: Omit<TokenChallenge, 'redemptionContext'>;
  tokens: string[];
}

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
const job = JSON.parse(Buffer.concat(chunks).toString()) as Job;
const db = await connectDatabase(job.uri, job.dbName);
const verifier = createVerifier({ publicKeys: job.publicKeys });
const spend = mongoSpend(
  db,
  new mongoose.Types.ObjectId(job.siteId),
  new Date(Date.now() + 3600_000),
);
const expectedChallenge = { ...job.challenge, redemptionContext: new Uint8Array(0) };
const outcomes = await Promise.all(
  job.tokens.map(async (t) => (await verifier.verify(t, { expectedChallenge, spend })).outcome),
);
await db.close();
process.stdout.write(JSON.stringify(outcomes));
