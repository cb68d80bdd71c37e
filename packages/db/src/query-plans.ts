/**
 * Test support: records the queries a piece of code sends (through the driver's command
 * monitoring) and asks the server how it would run each, so a test can fail on any query of a
 * growing collection that scans it instead of using an index.
 */
import type { mongo } from 'mongoose';
import type { Database } from './connection.js';

/** The collections that grow with traffic; every query on them must use an index. */
export const GROWING_COLLECTIONS = [
  'events',
  'rollups_hourly',
  'rollups_daily',
  'rollups_paths',
  'rollups_paths_daily',
  'spent_nonces',
  'audit_log',
  'sessions',
  'rate_counters',
  'users',
  'invitations',
  'auth_tokens',
  'restricted_keys',
  'api_key_usage',
  'webhook_endpoints',
  'webhook_events',
  'webhook_deliveries',
] as const;

const QUERYING = new Set(['find', 'aggregate', 'count', 'distinct', 'update', 'delete', 'findAndModify']);

export interface QueryShape {
  /** The command name (find, aggregate, update…) and collection. */
  name: string;
  collection: string;
  /** The command as sent, minus session and cluster fields. */
  command: Record<string, unknown>;
}

const DROP = new Set(['lsid', '$clusterTime', '$db', 'txnNumber', 'startTransaction', 'autocommit', 'readConcern', 'writeConcern', 'cursor', 'batchSize', 'maxTimeMS', 'singleBatch']);

/** A key that tells shapes apart: the command with every value replaced by its type. */
function shapeKey(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeKey);
  if (value && typeof value === 'object' && !(value instanceof Date) && value.constructor?.name === 'Object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, shapeKey(v)]));
  }
  return typeof value === 'object' && value !== null ? (value.constructor?.name ?? 'object') : typeof value;
}

/**
 * Starts recording. The connection must have been opened with `monitorCommands: true` (test
 * databases are). `stop()` returns one shape per distinct command structure.
 */
export function recordQueries(db: Database, collections: readonly string[] = GROWING_COLLECTIONS): { stop(): QueryShape[] } {
  const client = db.conn.getClient() as unknown as mongo.MongoClient;
  const wanted = new Set(collections);
  const shapes = new Map<string, QueryShape>();
  const onStart = (event: mongo.CommandStartedEvent) => {
    if (!QUERYING.has(event.commandName) || event.databaseName !== db.conn.name) return;
    const collection = String((event.command as Record<string, unknown>)[event.commandName]);
    if (!wanted.has(collection)) return;
    const command = Object.fromEntries(Object.entries(event.command as Record<string, unknown>).filter(([k]) => !DROP.has(k)));
    const key = `${event.commandName}:${collection}:${JSON.stringify(shapeKey(command))}`;
    if (!shapes.has(key)) shapes.set(key, { name: event.commandName, collection, command });
  };
  client.on('commandStarted', onStart);
  return {
    stop() {
      client.off('commandStarted', onStart);
      return [...shapes.values()];
    },
  };
}

/** The plan stages the server would run for one recorded shape (from `explain`). */
export async function planStages(db: Database, shape: QueryShape): Promise<string[]> {
  const command = shape.name === 'aggregate' ? { ...shape.command, cursor: {} } : shape.command;
  const plan = await db.conn.db!.command({ explain: command, verbosity: 'queryPlanner' });
  const stages: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
        if (key === 'stage' && typeof value === 'string') stages.push(value);
        // Only the winning plan counts: rejected plans may well scan.
        if (key !== 'rejectedPlans') walk(value);
      }
    }
  };
  walk(plan);
  return stages;
}
