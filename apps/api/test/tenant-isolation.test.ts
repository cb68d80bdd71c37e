/**
 * The permission table: one row per tRPC procedure, built against the router's own list, so a
 * procedure added without a row fails here. For every procedure it proves that
 * - its rightful caller can use it (so the refusals below are not an accident of bad input),
 *   and what it returns is a plain DTO (no mongoose document, no ObjectId, no secret hash);
 * - a user of another tenant gets NOT_FOUND for this tenant's site, and cannot reach this
 *   tenant's events, keys, members or origins through their own site either;
 * - a viewer can read but not change anything;
 * - none of that changed a byte of the other tenant's data.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TRPCError } from '@trpc/server';
import { Types } from 'mongoose';
import { validateSessionToken } from '@tagward/auth';
import { appRouter } from '../src/router/root.js';
import { createCallerFactory } from '../src/trpc.js';
import { createContextInner } from '../src/context.js';
import { createServices } from '../src/services/index.js';
import {
  addMemberByInvitation,
  codeOf,
  inbox,
  makeAdmin,
  signedUpClient,
  startTestApi,
  tokenIn,
  uniqueEmail,
  type ApiClient,
  type TestApi,
  type TestClient,
} from './helpers.js';
import { recordEvents } from './support/record-events.js';
import { TABLE, type Ids } from './support/permission-table.js';
import { stopAllBacktests } from '../src/services/moderation/backtest.js';

type ProcedureDefs = Record<string, { _def: { type: 'query' | 'mutation' | 'subscription' } }>;
const PROCEDURES = appRouter._def.procedures as unknown as ProcedureDefs;
const typeOf = (path: string) => PROCEDURES[path]!._def.type;

function callHttp(client: ApiClient, path: string, input: unknown): Promise<unknown> {
  const [ns, name] = path.split('.') as [string, string];
  const proc = (client as unknown as Record<string, Record<string, { query(i: unknown): Promise<unknown>; mutate(i: unknown): Promise<unknown> }>>)[ns]![name]!;
  return typeOf(path) === 'query' ? proc.query(input) : proc.mutate(input);
}

let api: TestApi;

/** A tenant: an owner, a viewer, a site with a key, an origin and an event. */
interface Tenant {
  owner: TestClient & { email: string; userId: string };
  viewer: TestClient & { email: string; userId: string };
  ids: Ids;
}

async function makeTenant(name: string): Promise<Tenant> {
  const owner = await signedUpClient(api);
  const viewer = await signedUpClient(api);
  const { site, secretKey } = await owner.trpc.sites.create.mutate({ name, mode: 'live' });
  await owner.trpc.origins.add.mutate({ siteId: site.id, origin: 'https://shop.example' });
  await addMemberByInvitation(owner, site.id, viewer, 'viewer');
  const invitee = uniqueEmail('pending');
  const [invitation] = await owner.trpc.invitations.create.mutate({ siteId: site.id, email: invitee, role: 'viewer' });
  const inviteToken = tokenIn(await inbox().waitForMail(invitee, { subject: /invited you/ }), '/invite');
  const [eventId] = await recordEvents(api.db, new Types.ObjectId(site.id), [
    { receivedAt: new Date(Date.now() - 3_600_000), path: `/private-${name.replace(/\W/g, '-')}`, verdict: 'fraud', score: 0.1, reasons: [{ code: 'origin_not_allowed', weight: -0.6 }] },
  ]);
  const restricted = await owner.trpc.apiKeys.create.mutate({ siteId: site.id, name: 'tenant key', scopes: ['stats:read'] });
  const { endpoint } = await owner.trpc.webhooks.create.mutate({ siteId: site.id, url: 'http://127.0.0.1:9/tenant', events: ['key.rotated'] });
  return {
    owner,
    viewer,
    ids: {
      siteId: site.id,
      siteName: name,
      eventId: eventId!.toHexString(),
      kid: secretKey!.kid,
      viewerUserId: viewer.userId,
      origin: 'https://shop.example',
      email: owner.email,
      invitationId: invitation!.id,
      inviteToken,
      restrictedKid: restricted.key.kid,
      endpointId: endpoint.id,
    },
  };
}

/** Everything stored for a tenant, to prove that failed attempts changed nothing. */
async function snapshot(tenant: Tenant): Promise<string> {
  const siteId = new Types.ObjectId(tenant.ids.siteId);
  const [site, keys, events, hourly, daily, users, sessions, invitations, restricted, endpoints, alerts, outbox] = await Promise.all([
    api.db.models.Site.findById(siteId).lean(),
    api.db.models.SecretKey.find({ siteId }).sort({ kid: 1 }).lean(),
    api.db.models.Event.find({ siteId }).sort({ _id: 1 }).lean(),
    api.db.models.HourlyRollup.find({ siteId }).sort({ hour: 1 }).lean(),
    api.db.models.DailyRollup.find({ siteId }).sort({ day: 1 }).lean(),
    api.db.models.User.find({ _id: { $in: [tenant.owner.userId, tenant.viewer.userId] } }).sort({ _id: 1 }).lean(),
    api.db.models.Session.find({ userId: { $in: [tenant.owner.userId, tenant.viewer.userId] } }).sort({ _id: 1 }).lean(),
    api.db.models.Invitation.find({ siteId }).sort({ _id: 1 }).lean(),
    api.db.models.RestrictedKey.find({ siteId }).sort({ kid: 1 }).lean(),
    api.db.models.WebhookEndpoint.find({ siteId }).sort({ _id: 1 }).lean(),
    api.db.models.SiteAlert.find({ _id: siteId }).lean(),
    api.db.models.WebhookEvent.find({ siteId }).sort({ _id: 1 }).lean(),
  ]);
  return JSON.stringify({ site, keys, events, hourly, daily, users, sessions: sessions.map((s) => [s._id, s.expiresAt]), invitations, restricted, endpoints, alerts, outbox });
}

let victim: Tenant;
let before: string;

/** A platform admin: an account whose role an operator set to 'admin', with two-factor on. */
async function adminClient(): Promise<TestClient> {
  const admin = await signedUpClient(api);
  await makeAdmin(api, admin);
  return admin;
}

beforeAll(async () => {
  // Webhook endpoints on loopback (nothing listens; the worker is off): no DNS in tests.
  api = await startTestApi('api_tenants', { webhooks: { targets: 'any', worker: 'off' } });
  victim = await makeTenant('Victim shop');
  before = await snapshot(victim);
});
afterAll(async () => {
  // The admin rows start a backtest job; stop it before the database goes away.
  await stopAllBacktests();
  await api?.close();
});

const paths = Object.keys(PROCEDURES).sort();
const siteRows = Object.entries(TABLE).filter(([, row]) => row.access.kind === 'site-read' || row.access.kind === 'site-owner');
const ownRows = Object.entries(TABLE).filter(([, row]) => row.access.kind === 'own');
const adminRows = Object.entries(TABLE).filter(([, row]) => row.access.kind === 'admin');
const tokenRows = Object.entries(TABLE).filter(([, row]) => row.access.kind === 'token');

test('the table has exactly one row per tRPC procedure', () => {
  expect(Object.keys(TABLE).sort()).toEqual(paths);
});

test('no procedure is a subscription (the table only knows queries and mutations)', () => {
  expect(paths.filter((p) => typeOf(p) === 'subscription')).toEqual([]);
});

describe('the rightful caller can use every procedure and gets a plain DTO', () => {
  const FORBIDDEN_KEYS = new Set(['_id', '__v', '$__', '_doc', '$isNew', 'passwordHash', 'secretHash', 'signingKeyEnc', 'secretEnc', 'previousSecretEnc']);

  /** Throws unless `value` is JSON-shaped: primitives, arrays and plain objects only. */
  function assertPlain(value: unknown, where: string): void {
    if (value === null || ['string', 'number', 'boolean', 'undefined'].includes(typeof value)) return;
    if (Array.isArray(value)) {
      value.forEach((v, i) => assertPlain(v, `${where}[${i}]`));
      return;
    }
    if (typeof value !== 'object') throw new Error(`${where} is a ${typeof value}`);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) throw new Error(`${where} is a ${proto?.constructor?.name ?? 'non-plain object'}`);
    for (const [key, inner] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) throw new Error(`${where}.${key} must not be on the wire`);
      assertPlain(inner, `${where}.${key}`);
    }
  }

  test.each(paths)('%s', async (path) => {
    const row = TABLE[path]!;
    // A fresh tenant per procedure, so that deleting or rotating does not disturb the others.
    const tenant = await makeTenant(`Scratch ${path}`);
    const caller = path === 'auth.logIn' ? api.client() : row.access.kind === 'admin' ? await adminClient() : tenant.owner;
    const token = [...caller.cookies.values()][0];
    const validated = token ? await validateSessionToken(api.db, token) : null;
    const ctx = createContextInner({
      db: api.db,
      config: api.config,
      services: createServices(api.db, api.config),
      session: validated?.session ?? null,
      user: validated?.user ?? null,
    });
    const serverCaller = createCallerFactory(appRouter)(ctx);
    const [ns, name] = path.split('.') as [string, string];
    const fn = (serverCaller as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[ns]![name]!;
    const ids = tenant.ids;
    // Admin rows get past the gate; some are then refused on their merits (an unknown job id is
    // NOT_FOUND): each row names its exact code, so a crash or a wrong refusal fails.
    if (row.rightful) {
      const code = await fn(row.input(ids)).then(
        () => 'OK',
        (error: unknown) => (error instanceof TRPCError ? error.code : String(error)),
      );
      expect(code).toBe(row.rightful);
      return;
    }
    const result = await fn(row.input(ids));
    assertPlain(result, path);
  });
});

describe('another tenant', () => {
  let stranger: Tenant;
  beforeAll(async () => {
    stranger = await makeTenant('Stranger shop');
  });

  test.each(siteRows.map(([path]) => path))("%s on the victim's site answers NOT_FOUND", async (path) => {
    expect(await codeOf(callHttp(stranger.owner.trpc, path, TABLE[path]!.input(victim.ids)))).toBe('NOT_FOUND');
    expect(await snapshot(victim)).toBe(before);
  });

  test.each(siteRows.map(([path]) => path))("%s through the stranger's own site cannot reach the victim's objects", async (path) => {
    // The stranger's own site id, with the victim's event, key, member, origin and email.
    const crossed = { ...victim.ids, siteId: stranger.ids.siteId, siteName: stranger.ids.siteName };
    let result: unknown;
    try {
      result = await callHttp(stranger.owner.trpc, path, TABLE[path]!.input(crossed));
    } catch {
      result = null;
    }
    const text = JSON.stringify(result ?? null);
    // The victim's site-scoped objects. (Its owner's email is in the crossed input on purpose:
    // adding a known account to one's own site is the members feature, not a leak.)
    for (const secret of [victim.ids.siteId, victim.ids.eventId, victim.ids.kid, victim.ids.viewerUserId, '/private-Victim-shop', victim.ids.restrictedKid, victim.ids.endpointId]) {
      expect(text).not.toContain(secret);
    }
    expect(await snapshot(victim)).toBe(before);
    // Restore the stranger's site if this call deleted or changed it, so later rows still run.
    if (path === 'sites.delete') stranger = await makeTenant('Stranger shop');
  });

  test.each([
    ['events.get', 'NOT_FOUND'],
    ['keys.revoke', 'NOT_FOUND'],
    ['sites.removeMember', 'NOT_FOUND'],
    ['origins.remove', 'NOT_FOUND'],
    ['apiKeys.revoke', 'NOT_FOUND'],
    ['webhooks.get', 'NOT_FOUND'],
    ['webhooks.update', 'NOT_FOUND'],
    ['webhooks.remove', 'NOT_FOUND'],
    ['webhooks.rollSecret', 'NOT_FOUND'],
    ['webhooks.sendTest', 'NOT_FOUND'],
    ['webhooks.deliveries', 'NOT_FOUND'],
  ])('%s with a victim object id under the stranger’s site is %s', async (path, code) => {
    const crossed = { ...victim.ids, siteId: stranger.ids.siteId, siteName: stranger.ids.siteName };
    expect(await codeOf(callHttp(stranger.owner.trpc, path, TABLE[path]!.input(crossed)))).toBe(code);
  });

  test.each(ownRows.map(([path]) => path))('%s (%s) run by a stranger leaves the victim untouched', async (path) => {
    const someone = await signedUpClient(api);
    let result: unknown;
    try {
      result = await callHttp(someone.trpc, path, TABLE[path]!.input({ ...stranger.ids, email: someone.email }));
    } catch (error) {
      // A refusal is fine (a code for an unset two-factor): the point is the victim's data.
      if (!TABLE[path]!.rightful) throw error;
    }
    const text = JSON.stringify(result ?? null);
    expect(text).not.toContain(victim.ids.siteId);
    expect(text).not.toContain(victim.owner.email);
    expect(await snapshot(victim)).toBe(before);
  });

  test("the stranger's site list does not include the victim's site", async () => {
    const sites = await stranger.owner.trpc.sites.list.query();
    expect(sites.map((s) => s.id)).not.toContain(victim.ids.siteId);
  });
});

describe('a viewer', () => {
  // Admin rows too: a site member is not a platform admin.
  test.each([...siteRows, ...adminRows].map(([path, row]) => [path, row.access.kind === 'site-read' ? 'OK' : 'FORBIDDEN'] as const))(
    '%s answers %s',
    async (path, expected) => {
      expect(await codeOf(callHttp(victim.viewer.trpc, path, TABLE[path]!.input(victim.ids)))).toBe(expected);
      expect(await snapshot(victim)).toBe(before);
    },
  );

  test('a viewer cannot promote themselves to owner', async () => {
    expect(await codeOf(victim.viewer.trpc.invitations.create.mutate({ siteId: victim.ids.siteId, email: victim.viewer.email, role: 'owner' }))).toBe('FORBIDDEN');
    expect((await victim.viewer.trpc.sites.get.query({ siteId: victim.ids.siteId })).role).toBe('viewer');
  });
});

test('logged-out callers get UNAUTHORIZED from everything but the public auth procedures', async () => {
  const open = new Set(['auth.me', 'auth.signUp', 'auth.logIn', 'auth.logOut', 'auth.requestPasswordReset', ...tokenRows.map(([path]) => path)]);
  // Accepting an invitation needs the link and a session of the invited address.
  open.delete('invitations.accept');
  // Logging in needs an account of one's own (the victim's password is not the point here).
  const ids = { ...victim.ids, email: (await signedUpClient(api)).email };
  for (const path of paths) {
    // A fresh client each time: signing up or logging in would give it a session.
    const code = await codeOf(callHttp(api.client().trpc, path, TABLE[path]!.input(ids)));
    if (open.has(path)) expect([path, code]).not.toEqual([path, 'UNAUTHORIZED']);
    else expect([path, code]).toEqual([path, 'UNAUTHORIZED']);
  }
  expect(await snapshot(victim)).toBe(before);
});
