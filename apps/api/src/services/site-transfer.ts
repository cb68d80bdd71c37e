/**
 * Moving one site's data between databases as NDJSON (`npm run export:site`, `npm run import:site`):
 * one JSON document per line, in MongoDB Extended JSON so ids and dates keep their types. The
 * export streams from cursors (memory stays flat however many events a site has); the last line
 * counts what came before it, and the import checks those counts before it reports success.
 *
 * Lines: `header`, `site` (members as emails: user ids mean nothing in another database),
 * `secretKey` (sealed signing keys: they verify tokens only where the same TAGWARD_MASTER_KEY is
 * set; rotate the key after moving elsewhere), `rules` (the site's override versions), `event`,
 * `rollup` (with its collection), `end`.
 */
import { once } from 'node:events';
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { mongo, Types } from 'mongoose';
import type { Database } from '@tagward/db';

const { EJSON } = mongo.BSON;
export const TRANSFER_FORMAT = 'tagward-site-export';
export const TRANSFER_VERSION = 1;
const ROLLUPS = ['rollups_hourly', 'rollups_daily', 'rollups_paths', 'rollups_paths_daily'] as const;
type Kind = 'site' | 'secretKey' | 'rules' | 'event' | 'rollup';

export class TransferError extends Error {
  constructor(
    readonly code: 'site_not_found' | 'site_exists' | 'bad_format' | 'truncated',
    message: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

async function writeLine(out: Writable, value: unknown): Promise<void> {
  if (!out.write(`${EJSON.stringify(value, { relaxed: true })}\n`)) await once(out, 'drain');
}

export async function exportSite(db: Database, siteId: string, out: Writable, now = new Date()): Promise<Record<Kind, number>> {
  if (!Types.ObjectId.isValid(siteId)) throw new TransferError('site_not_found', `no site ${siteId}`);
  const _id = new Types.ObjectId(siteId);
  const site = await db.models.Site.collection.findOne({ _id });
  if (!site) throw new TransferError('site_not_found', `no site ${siteId}`);
  const counts: Record<Kind, number> = { site: 1, secretKey: 0, rules: 0, event: 0, rollup: 0 };
  await writeLine(out, { kind: 'header', format: TRANSFER_FORMAT, version: TRANSFER_VERSION, exportedAt: now });
  const users = await db.models.User.find({ _id: { $in: (site.members as Array<{ userId: Types.ObjectId }>).map((m) => m.userId) } }, { email: 1 }).lean();
  const emails = new Map(users.map((u) => [String(u._id), u.email]));
  const members = (site.members as Array<{ userId: Types.ObjectId; role: string }>).map((m) => ({ email: emails.get(String(m.userId)) ?? null, role: m.role }));
  await writeLine(out, { kind: 'site', doc: { ...site, members } });
  const streams: Array<[Kind, mongo.FindCursor, string?]> = [
    ['secretKey', db.models.SecretKey.collection.find({ siteId: _id })],
    ['rules', db.models.RulesVersion.collection.find({ scope: siteId })],
    ['event', db.models.Event.collection.find({ siteId: _id }).sort({ receivedAt: 1, _id: 1 })],
    ...ROLLUPS.map((name) => ['rollup', db.conn.collection(name).find({ siteId: _id }), name] as [Kind, mongo.FindCursor, string]),
  ];
  for (const [kind, cursor, collection] of streams) {
    for await (const doc of cursor) {
      await writeLine(out, collection ? { kind, collection, doc } : { kind, doc });
      counts[kind] += 1;
    }
  }
  await writeLine(out, { kind: 'end', counts });
  return counts;
}

/**
 * Imports what `exportSite` wrote. Refuses when the site (its id or publishable key) already
 * exists here. Members are matched to accounts here by email; the others are left out (listed
 * in the result). Batches of 1,000 per collection.
 */
export async function importSite(db: Database, input: Readable): Promise<{ siteId: string; counts: Record<Kind, number>; unknownMembers: string[] }> {
  const inserted: { siteId?: Types.ObjectId } = {};
  try {
    return await importLines(db, input, inserted);
  } catch (error) {
    // Nothing half-imported stays behind: a failed import can simply be run again.
    if (inserted.siteId) {
      const siteId = inserted.siteId;
      await Promise.all([
        db.models.Site.deleteOne({ _id: siteId }),
        db.models.SecretKey.deleteMany({ siteId }),
        db.models.RulesVersion.deleteMany({ scope: String(siteId) }),
        db.models.Event.deleteMany({ siteId }),
        ...ROLLUPS.map((name) => db.conn.collection(name).deleteMany({ siteId })),
      ]);
    }
    throw error;
  }
}

async function importLines(db: Database, input: Readable, inserted: { siteId?: Types.ObjectId }): Promise<{ siteId: string; counts: Record<Kind, number>; unknownMembers: string[] }> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const counts: Record<Kind, number> = { site: 0, secretKey: 0, rules: 0, event: 0, rollup: 0 };
  const batches = new Map<string, Record<string, unknown>[]>();
  let siteId: string | undefined;
  let declared: Record<Kind, number> | undefined;
  const unknownMembers: string[] = [];
  const flush = async (collection: string) => {
    const docs = batches.get(collection);
    if (docs?.length) await db.conn.collection(collection).insertMany(docs, { ordered: false });
    batches.set(collection, []);
  };
  const add = async (collection: string, doc: Record<string, unknown>) => {
    const docs = batches.get(collection) ?? [];
    docs.push(doc);
    batches.set(collection, docs);
    if (docs.length >= 1000) await flush(collection);
  };
  let first = true;
  for await (const text of lines) {
    if (!text.trim()) continue;
    const line = EJSON.parse(text, { relaxed: true }) as { kind: string; doc?: Record<string, unknown>; collection?: string; format?: string; version?: number; counts?: Record<Kind, number> };
    if (first) {
      if (line.kind !== 'header' || line.format !== TRANSFER_FORMAT || line.version !== TRANSFER_VERSION) throw new TransferError('bad_format', 'not a Tagward site export (version 1)');
      first = false;
      continue;
    }
    if (line.kind === 'end') {
      declared = line.counts;
      break;
    }
    if (!siteId && line.kind !== 'site') throw new TransferError('bad_format', 'the site line must come first');
    const doc = line.doc!;
    if (line.kind === 'site') {
      siteId = String(doc._id);
      if (await db.models.Site.exists({ $or: [{ _id: doc._id as Types.ObjectId }, { publicKey: doc.publicKey as string }] })) {
        throw new TransferError('site_exists', `a site with id ${siteId} or key ${String(doc.publicKey)} already exists here`);
      }
      const members = [];
      for (const m of doc.members as Array<{ email: string | null; role: string }>) {
        const user = m.email ? await db.models.User.findOne({ email: m.email }, { _id: 1 }).lean() : null;
        if (user) members.push({ userId: user._id, role: m.role });
        else unknownMembers.push(m.email ?? '(deleted account)');
      }
      await db.models.Site.collection.insertOne({ ...doc, members });
      inserted.siteId = doc._id as Types.ObjectId;
    } else if (line.kind === 'secretKey') await add('secret_keys', doc);
    else if (line.kind === 'rules') await add('rules_versions', doc);
    else if (line.kind === 'event') await add('events', doc);
    else if (line.kind === 'rollup' && ROLLUPS.includes(line.collection as (typeof ROLLUPS)[number])) await add(line.collection!, doc);
    else throw new TransferError('bad_format', `unknown line kind ${line.kind}`);
    counts[line.kind as Kind] += 1;
  }
  for (const collection of batches.keys()) await flush(collection);
  if (!siteId || !declared) throw new TransferError('truncated', 'the export ends before its last line: it was cut short');
  for (const kind of Object.keys(declared) as Kind[]) {
    if (declared[kind] !== counts[kind]) throw new TransferError('truncated', `the export declares ${declared[kind]} ${kind} lines, ${counts[kind]} were read`);
  }
  return { siteId, counts, unknownMembers };
}
