/**
 * Signed webhooks, delivered to receivers on loopback: signatures verify with the SDK, retries
 * back off and carry the same event id (a deduplicating receiver acts once), the outbox turns
 * key rotations and rules publishes into deliveries, and an endpoint that keeps failing is
 * disabled and its owners notified once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { verifyWebhook } from '@tagward/sdk-node';
import { addMemberByInvitation, inbox, makeAdmin, signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';
import { FAST_WEBHOOKS, ownedSite, startIntegrationsApi, startReceiver, type Receiver } from './support/integrations.js';
import { dispatchOutbox } from '../src/services/webhooks/deliveries.js';
import { emitWebhookEvent } from '../src/services/webhooks/outbox.js';
import { Types } from 'mongoose';

let api: TestApi & { notices: Array<{ siteId: string; subject: string; text: string }> };
let owner: TestClient;
let siteId: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  api = await startIntegrationsApi('webhooks_delivery', { webhooks: FAST_WEBHOOKS });
  owner = await signedUpClient(api);
  siteId = (await ownedSite(owner)).siteId;
});

afterAll(async () => {
  await api?.close();
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(respond?: Receiver['respond']): Promise<Receiver> {
  const r = await startReceiver(respond);
  receivers.push(r);
  return r;
}

async function endpoint(url: string, events: Array<'fraud.spike' | 'integration.silent' | 'key.rotated' | 'rules.published'> = ['key.rotated']) {
  return owner.trpc.webhooks.create.mutate({ siteId, url, events });
}

describe('signatures and dedup', () => {
  test('"send test" delivers a signed event that verifyWebhook accepts; the log shows it', async () => {
    const r = await receiver();
    const { endpoint: ep, secret } = await endpoint(r.url);
    expect(secret).toMatch(/^whsec_/);
    const { eventId } = await owner.trpc.webhooks.sendTest.mutate({ siteId, endpointId: ep.id });
    await expect.poll(() => r.requests.length, { timeout: 5000 }).toBe(1);
    const req = r.requests[0]!;
    const event = verifyWebhook(req.body, req.headers['tagward-signature'] as string, secret);
    expect(event).toMatchObject({ id: eventId, type: 'webhook.test', siteId });
    expect(req.headers['tagward-event-id']).toBe(eventId);
    await expect
      .poll(async () => (await owner.trpc.webhooks.deliveries.query({ siteId, endpointId: ep.id })).items[0]?.status, { timeout: 5000 })
      .toBe('succeeded');
    const log = await owner.trpc.webhooks.deliveries.query({ siteId, endpointId: ep.id });
    expect(log.items[0]).toMatchObject({ eventId, type: 'webhook.test', attemptCount: 1, attempts: [{ status: 204, error: null }] });
  });

  test('a failing receiver sees the retries with growing gaps and one event id; a receiver that deduplicates acts once', async () => {
    const processed = new Map<string, number>();
    // Fails twice with 500 (the second time after processing: a receiver that crashed before
    // answering), then answers 200: the retry brings the same id, which it skips.
    const r = await receiver((n, req) => {
      const id = String(req.headers['tagward-event-id']);
      if (n === 0) return { status: 500, body: 'down for maintenance' };
      if (!processed.has(id)) processed.set(id, (processed.get(id) ?? 0) + 1);
      return n === 1 ? { status: 503 } : { status: 200 };
    });
    const { endpoint: ep, secret } = await endpoint(r.url);
    await owner.trpc.keys.rotate.mutate({ siteId, graceHours: 1 });
    await expect.poll(() => r.requests.length, { timeout: 10_000 }).toBe(3);
    const ids = r.requests.map((q) => q.headers['tagward-event-id']);
    expect(new Set(ids).size).toBe(1);
    expect(r.requests.map((q) => q.headers['tagward-delivery-attempt'])).toEqual(['1', '2', '3']);
    for (const q of r.requests) expect(verifyWebhook(q.body, q.headers['tagward-signature'] as string, secret).type).toBe('key.rotated');
    // Each retry was signed afresh but the body is byte for byte the same.
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    const gaps = [r.requests[1]!.at - r.requests[0]!.at, r.requests[2]!.at - r.requests[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(FAST_WEBHOOKS.retryBaseMs * 0.9);
    expect(gaps[1]).toBeGreaterThanOrEqual(FAST_WEBHOOKS.retryBaseMs * 2 * 0.9);
    expect([...processed.values()]).toEqual([1]);
    const log = await owner.trpc.webhooks.deliveries.query({ siteId, endpointId: ep.id });
    expect(log.items[0]).toMatchObject({ type: 'key.rotated', status: 'succeeded', attemptCount: 3 });
    expect(log.items[0]!.attempts.map((a) => a.status)).toEqual([200, 503, 500]);
    expect(JSON.parse(log.items[0]!.body).data.graceHours).toBe(1);
  });

  test('dispatching the same outbox event twice creates one delivery per endpoint', async () => {
    const r = await receiver();
    await endpoint(r.url, ['rules.published']);
    const id = await emitWebhookEvent(api.db, { siteId: new Types.ObjectId(siteId), type: 'rules.published', data: { scope: 'site', version: 9 }, at: new Date() });
    await dispatchOutbox(api.db, new Date());
    await api.db.models.WebhookEvent.updateOne({ _id: id }, { $set: { dispatched: false } }); // as if it crashed before marking
    await dispatchOutbox(api.db, new Date());
    expect(await api.db.models.WebhookDelivery.countDocuments({ eventId: id })).toBe(1);
    await expect.poll(() => r.requests.filter((q) => q.headers['tagward-event-id'] === id).length, { timeout: 5000 }).toBe(1);
  });
});

describe('events from the rest of the API', () => {
  test('a rules publish reaches the endpoints subscribed to rules.published (the rules themselves stay private)', async () => {
    const r = await receiver();
    await endpoint(r.url, ['rules.published']);
    const admin = await signedUpClient(api);
    await makeAdmin(api, admin);
    await admin.trpc.moderation.saveDraft.mutate({ scope: siteId, rules: { hard: { pageTokenRequired: true } } });
    await admin.trpc.moderation.publish.mutate({ scope: siteId, note: 'tighten origins' });
    await expect.poll(() => r.requests.length, { timeout: 5000 }).toBe(1);
    const body = JSON.parse(r.requests[0]!.body);
    expect(body).toMatchObject({ type: 'rules.published', siteId, data: { scope: 'site' } });
    expect(r.requests[0]!.body).not.toContain('tighten origins');
  });

  test('an endpoint only gets the types it subscribes to', async () => {
    const r = await receiver();
    await endpoint(r.url, ['fraud.spike']);
    await owner.trpc.keys.rotate.mutate({ siteId, graceHours: 0 });
    await dispatchOutbox(api.db, new Date());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(r.requests).toHaveLength(0);
  });
});

describe('failing endpoints', () => {
  test('are disabled when a delivery fails for the whole retry period, their pending deliveries cancelled, and the owners notified once', async () => {
    const failing = await startIntegrationsApi('webhooks_disable', { webhooks: { ...FAST_WEBHOOKS, giveUpAfterMs: 400 } });
    const r = await receiver(() => ({ status: 500 }));
    try {
      const o = await signedUpClient(failing);
      const site = await ownedSite(o);
      const { endpoint: ep } = await o.trpc.webhooks.create.mutate({ siteId: site.siteId, url: r.url, events: ['key.rotated'] });
      await o.trpc.keys.rotate.mutate({ siteId: site.siteId, graceHours: 1 });
      await o.trpc.keys.rotate.mutate({ siteId: site.siteId, graceHours: 1 });
      await expect.poll(async () => (await o.trpc.webhooks.get.query({ siteId: site.siteId, endpointId: ep.id })).status, { timeout: 10_000 }).toBe('disabled');
      const statuses = (await o.trpc.webhooks.deliveries.query({ siteId: site.siteId, endpointId: ep.id })).items.map((d) => d.status);
      expect(statuses).toHaveLength(2);
      expect(statuses).toContain('failed');
      expect(statuses).not.toContain('pending');
      const disabled = await o.trpc.webhooks.get.query({ siteId: site.siteId, endpointId: ep.id });
      expect(disabled.disabledReason).toBe('failing');
      expect(r.requests.length).toBeGreaterThanOrEqual(3);
      expect(failing.notices).toHaveLength(1);
      expect(failing.notices[0]).toMatchObject({ siteId: site.siteId, subject: expect.stringContaining('disabled') });
      expect(failing.notices[0]!.text).toContain(r.url);
      // Nothing more is sent while disabled...
      await o.trpc.keys.rotate.mutate({ siteId: site.siteId, graceHours: 1 });
      const seen = r.requests.length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(r.requests.length).toBe(seen);
      // ...except a test event, so the owner can check a fix before enabling it again.
      await o.trpc.webhooks.sendTest.mutate({ siteId: site.siteId, endpointId: ep.id });
      await expect.poll(() => r.requests.length, { timeout: 5000 }).toBe(seen + 1);
      const enabled = await o.trpc.webhooks.update.mutate({ siteId: site.siteId, endpointId: ep.id, enabled: true });
      expect(enabled).toMatchObject({ status: 'enabled', disabledReason: null });
      expect(failing.notices).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });

  test("without a notifier given, the API mails the site's owners (not its viewers) that the endpoint was disabled", async () => {
    const mailing = await startTestApi('webhooks_disable_mail', { webhooks: { ...FAST_WEBHOOKS, giveUpAfterMs: 400 } });
    const r = await receiver(() => ({ status: 500 }));
    try {
      const o = await signedUpClient(mailing);
      const viewer = await signedUpClient(mailing);
      const site = await ownedSite(o);
      await addMemberByInvitation(o, site.siteId, viewer, 'viewer');
      const { endpoint: ep } = await o.trpc.webhooks.create.mutate({ siteId: site.siteId, url: r.url, events: ['key.rotated'] });
      await o.trpc.keys.rotate.mutate({ siteId: site.siteId, graceHours: 1 });
      const mail = await inbox().waitForMail(o.email, { subject: /webhook endpoint was disabled/, timeoutMs: 15_000 });
      expect(mail.text).toContain(r.url);
      expect((await o.trpc.webhooks.get.query({ siteId: site.siteId, endpointId: ep.id })).status).toBe('disabled');
      expect((await inbox().mailsTo(viewer.email)).filter((m) => /webhook/.test(m.subject))).toEqual([]);
    } finally {
      await mailing.close();
    }
  });

  test('a redirect is a failed attempt and is not followed', async () => {
    const target = await receiver();
    const r = await receiver(() => ({ status: 302, headers: { location: target.url } }));
    const { endpoint: ep } = await endpoint(r.url);
    await owner.trpc.webhooks.sendTest.mutate({ siteId, endpointId: ep.id });
    await expect
      .poll(async () => (await owner.trpc.webhooks.deliveries.query({ siteId, endpointId: ep.id })).items[0]?.status, { timeout: 5000 })
      .toBe('failed');
    const log = await owner.trpc.webhooks.deliveries.query({ siteId, endpointId: ep.id });
    expect(log.items[0]!.attempts[0]).toMatchObject({ status: 302, error: 'redirect' });
    expect(target.requests).toHaveLength(0);
  });
});
