/**
 * Webhook endpoints of a site (owners only): create (the signing secret is shown once), change,
 * enable and disable, roll the secret (the old one keeps signing for a day), delete, send a test
 * event, and read the delivery log.
 */
import type { Database, WebhookEndpointDoc } from '@tagward/db';
import { Types } from 'mongoose';
import type { Actor } from '../../permissions.js';
import { audit } from '../audit.js';
import { badRequest, notFound } from '../errors.js';
import type { SiteRow } from '../site-row.js';
import { TargetRefused, checkTargetUrl, resolveTarget, type Lookup, type TargetMode } from './address-policy.js';
import { emitWebhookEvent } from './outbox.js';
import { generateWebhookSecret, openWebhookSecret, sealWebhookSecret } from './secrets.js';
import { TEST_EVENT, type SubscribableEvent } from './types.js';

export const MAX_ENDPOINTS = 10;
export const SECRET_ROLL_OVERLAP_MS = 24 * 3_600_000;
export const DELIVERY_PAGE = 25;

type EndpointRow = WebhookEndpointDoc & { _id: Types.ObjectId; createdAt?: Date };

export interface WebhookEndpointDto {
  id: string;
  url: string;
  description: string;
  events: SubscribableEvent[];
  status: 'enabled' | 'disabled';
  disabledAt: string | null;
  disabledReason: string | null;
  secretHint: string;
  /** Until when the previous secret still signs (after a roll), or null. */
  previousSecretUntil: string | null;
  createdAt: string;
}

export interface EndpointContext {
  db: Database;
  masterKey: Uint8Array;
  mode: TargetMode;
  lookup?: Lookup;
  now: Date;
}

function toDto(row: EndpointRow, now: Date): WebhookEndpointDto {
  const until = row.previousSecretExpiresAt && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt.toISOString() : null;
  return {
    id: String(row._id),
    url: row.url,
    description: row.description ?? '',
    events: row.events as SubscribableEvent[],
    status: row.status === 'enabled' ? 'enabled' : 'disabled',
    disabledAt: row.disabledAt ? row.disabledAt.toISOString() : null,
    disabledReason: row.disabledReason ?? null,
    secretHint: row.secretHint,
    previousSecretUntil: until,
    createdAt: (row.createdAt ?? new Date(0)).toISOString(),
  };
}

/** The URL must be one we would deliver to now: the same policy as each delivery, checked early. */
async function checkUrl(ctx: EndpointContext, raw: string): Promise<string> {
  try {
    const url = checkTargetUrl(raw);
    await resolveTarget(url, ctx.mode, ctx.lookup);
    return url.href;
  } catch (error) {
    if (error instanceof TargetRefused) throw badRequest(error.message);
    throw error;
  }
}

async function endpointOf(db: Database, site: SiteRow, endpointId: string): Promise<EndpointRow> {
  const row = Types.ObjectId.isValid(endpointId) ? ((await db.models.WebhookEndpoint.findOne({ _id: endpointId, siteId: site._id }).lean()) as EndpointRow | null) : null;
  if (!row) throw notFound('No such webhook endpoint on this site.');
  return row;
}

export async function listEndpoints(db: Database, site: SiteRow, now: Date): Promise<WebhookEndpointDto[]> {
  const rows = (await db.models.WebhookEndpoint.find({ siteId: site._id }).sort({ createdAt: -1 }).lean()) as EndpointRow[];
  return rows.map((row) => toDto(row, now));
}

export async function getEndpoint(db: Database, site: SiteRow, endpointId: string, now: Date): Promise<WebhookEndpointDto> {
  return toDto(await endpointOf(db, site, endpointId), now);
}

export async function createEndpoint(
  ctx: EndpointContext,
  site: SiteRow,
  actor: Actor,
  input: { url: string; description: string; events: SubscribableEvent[] },
): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
  const { db, now } = ctx;
  const url = await checkUrl(ctx, input.url);
  const secret = generateWebhookSecret();
  const _id = new Types.ObjectId();
  const row = await db.transaction(async (session) => {
    // Written first so two creations at once conflict and the cap is checked on the real count.
    await db.models.Site.updateOne({ _id: site._id }, { $inc: { keyRevision: 1 } }, { session });
    if ((await db.models.WebhookEndpoint.countDocuments({ siteId: site._id }, { session })) >= MAX_ENDPOINTS) {
      throw badRequest(`A site can have at most ${MAX_ENDPOINTS} webhook endpoints.`);
    }
    const [created] = await db.models.WebhookEndpoint.create(
      [
        {
          _id,
          siteId: site._id,
          url,
          description: input.description,
          events: [...new Set(input.events)].sort(),
          secretEnc: sealWebhookSecret(secret, String(_id), ctx.masterKey),
          secretHint: secret.slice(-4),
          status: 'enabled',
          createdBy: actor.id,
        },
      ],
      { session },
    );
    await audit(db, { actorId: actor.id, action: 'webhook.create', target: `${String(site._id)}/${String(_id)}`, after: { url, events: input.events }, at: now }, session);
    return created!.toObject() as EndpointRow;
  });
  return { endpoint: toDto(row, now), secret };
}

export async function updateEndpoint(
  ctx: EndpointContext,
  site: SiteRow,
  actor: Actor,
  endpointId: string,
  input: { url?: string; description?: string; events?: SubscribableEvent[]; enabled?: boolean },
): Promise<WebhookEndpointDto> {
  const { db, now } = ctx;
  const before = await endpointOf(db, site, endpointId);
  const $set: Record<string, unknown> = {};
  if (input.url !== undefined) $set.url = await checkUrl(ctx, input.url);
  if (input.description !== undefined) $set.description = input.description;
  if (input.events !== undefined) $set.events = [...new Set(input.events)].sort();
  if (input.enabled === true) Object.assign($set, { status: 'enabled', disabledAt: null, disabledReason: null });
  if (input.enabled === false && before.status === 'enabled') Object.assign($set, { status: 'disabled', disabledAt: now, disabledReason: 'owner' });
  const row = (await db.models.WebhookEndpoint.findOneAndUpdate({ _id: before._id, siteId: site._id }, { $set }, { returnDocument: 'after' }).lean()) as EndpointRow | null;
  if (!row) throw notFound('No such webhook endpoint on this site.');
  await audit(db, { actorId: actor.id, action: 'webhook.update', target: `${String(site._id)}/${endpointId}`, before: { url: before.url, events: before.events, status: before.status }, after: $set, at: now });
  return toDto(row, now);
}

export async function deleteEndpoint(db: Database, site: SiteRow, actor: Actor, endpointId: string, now: Date): Promise<WebhookEndpointDto[]> {
  const row = await endpointOf(db, site, endpointId);
  await db.transaction(async (session) => {
    await db.models.WebhookEndpoint.deleteOne({ _id: row._id, siteId: site._id }, { session });
    await audit(db, { actorId: actor.id, action: 'webhook.delete', target: `${String(site._id)}/${endpointId}`, before: { url: row.url }, at: now }, session);
  });
  // Its log goes with it; a worker holding one of its deliveries cancels it (endpoint gone).
  await db.models.WebhookDelivery.deleteMany({ endpointId: row._id });
  return listEndpoints(db, site, now);
}

/** A new secret, shown once; the old one keeps signing (a second `v1`) for 24 hours. */
export async function rollSecret(ctx: EndpointContext, site: SiteRow, actor: Actor, endpointId: string): Promise<{ endpoint: WebhookEndpointDto; secret: string }> {
  const { db, now } = ctx;
  const row = await endpointOf(db, site, endpointId);
  const secret = generateWebhookSecret();
  const previous = openWebhookSecret(row.secretEnc, String(row._id), ctx.masterKey);
  const updated = (await db.models.WebhookEndpoint.findOneAndUpdate(
    { _id: row._id, siteId: site._id, secretEnc: row.secretEnc },
    {
      $set: {
        secretEnc: sealWebhookSecret(secret, String(row._id), ctx.masterKey),
        secretHint: secret.slice(-4),
        previousSecretEnc: sealWebhookSecret(previous, String(row._id), ctx.masterKey),
        previousSecretExpiresAt: new Date(now.getTime() + SECRET_ROLL_OVERLAP_MS),
      },
    },
    { returnDocument: 'after' },
  ).lean()) as EndpointRow | null;
  if (!updated) throw badRequest('The secret was rolled meanwhile. Reload.');
  await audit(db, { actorId: actor.id, action: 'webhook.secret.roll', target: `${String(site._id)}/${endpointId}`, at: now });
  return { endpoint: toDto(updated, now), secret };
}

export async function sendTestEvent(db: Database, site: SiteRow, endpointId: string, now: Date): Promise<{ eventId: string }> {
  const row = await endpointOf(db, site, endpointId);
  const eventId = await emitWebhookEvent(db, {
    siteId: site._id,
    type: TEST_EVENT,
    endpointId: row._id,
    data: { message: 'A test event from the Tagward dashboard.' },
    at: now,
  });
  return { eventId };
}
