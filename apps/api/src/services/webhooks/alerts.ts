/**
 * The alert sweep: `fraud.spike` when the quarantined share (suspect + fraud) over the site's
 * window crosses its threshold, `integration.silent` when a site that had traffic got no beacon
 * for its number of hours. Both read rollups only (a handful of hourly documents per site), for
 * the sites that have an enabled endpoint subscribed to them. Each alert fires once when its
 * condition starts and is re-armed when it ends: the raise is a compare-and-set on the site's
 * alert document, in the transaction that writes the outbox event.
 */
import { DAY_MS, HOUR_MS, lastBeaconHour, sumCounters, type Database } from '@tagward/db';
import type { Types } from 'mongoose';
import { emitWebhookEvent } from './outbox.js';

export interface AlertSettings {
  fraudSpikePct: number;
  fraudSpikeWindowHours: number;
  fraudSpikeMinEvents: number;
  silentHours: number;
}

export const DEFAULT_ALERT_SETTINGS: AlertSettings = { fraudSpikePct: 20, fraudSpikeWindowHours: 1, fraudSpikeMinEvents: 50, silentHours: 6 };

type AlertRow = Partial<AlertSettings> & { fraudSpikeRaised?: boolean; silentRaised?: boolean };

export function settingsOf(row: AlertRow | null): AlertSettings {
  return {
    fraudSpikePct: row?.fraudSpikePct ?? DEFAULT_ALERT_SETTINGS.fraudSpikePct,
    fraudSpikeWindowHours: row?.fraudSpikeWindowHours ?? DEFAULT_ALERT_SETTINGS.fraudSpikeWindowHours,
    fraudSpikeMinEvents: row?.fraudSpikeMinEvents ?? DEFAULT_ALERT_SETTINGS.fraudSpikeMinEvents,
    silentHours: row?.silentHours ?? DEFAULT_ALERT_SETTINGS.silentHours,
  };
}

export async function readAlertSettings(db: Database, siteId: Types.ObjectId): Promise<AlertSettings> {
  return settingsOf((await db.models.SiteAlert.findById(siteId).lean()) as AlertRow | null);
}

export async function saveAlertSettings(db: Database, siteId: Types.ObjectId, settings: AlertSettings): Promise<AlertSettings> {
  await upsertAlertRow(db, siteId);
  await db.models.SiteAlert.updateOne({ _id: siteId }, { $set: settings });
  return readAlertSettings(db, siteId);
}

/** The alert document exists before any compare-and-set on it (racing creators are fine). */
async function upsertAlertRow(db: Database, siteId: Types.ObjectId): Promise<void> {
  try {
    await db.models.SiteAlert.collection.updateOne({ _id: siteId }, { $setOnInsert: { fraudSpikeRaised: false, silentRaised: false } }, { upsert: true });
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error;
  }
}

type Flag = 'fraudSpikeRaised' | 'silentRaised';

/** Raises a flag and writes its event, once: only the caller that flips it writes the event. */
async function raise(db: Database, siteId: Types.ObjectId, flag: Flag, type: 'fraud.spike' | 'integration.silent', data: Record<string, unknown>, now: Date): Promise<boolean> {
  return db.transaction(async (session) => {
    const flipped = await db.models.SiteAlert.updateOne({ _id: siteId, [flag]: { $ne: true } }, { $set: { [flag]: true } }, { session });
    if (flipped.modifiedCount === 0) return false;
    await emitWebhookEvent(db, { siteId, type, data, at: now }, session);
    return true;
  });
}

async function lower(db: Database, siteId: Types.ObjectId, flag: Flag): Promise<void> {
  await db.models.SiteAlert.updateOne({ _id: siteId, [flag]: true }, { $set: { [flag]: false } });
}

async function checkFraudSpike(db: Database, siteId: Types.ObjectId, settings: AlertSettings, raised: boolean, now: Date): Promise<void> {
  const to = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS + HOUR_MS;
  const from = to - settings.fraudSpikeWindowHours * HOUR_MS;
  const c = await sumCounters(db, siteId, { from: new Date(from), to: new Date(to), granularity: 'hour' });
  const quarantined = c.verdicts.suspect + c.verdicts.fraud;
  const sharePct = c.total ? (100 * quarantined) / c.total : 0;
  const spiking = c.total >= settings.fraudSpikeMinEvents && sharePct >= settings.fraudSpikePct;
  if (spiking && !raised) {
    const data = {
      window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), hours: settings.fraudSpikeWindowHours },
      total: c.total,
      quarantined,
      suspect: c.verdicts.suspect,
      fraud: c.verdicts.fraud,
      sharePct: Math.round(sharePct * 10) / 10,
      thresholdPct: settings.fraudSpikePct,
    };
    await raise(db, siteId, 'fraudSpikeRaised', 'fraud.spike', data, now);
  } else if (!spiking && raised) {
    await lower(db, siteId, 'fraudSpikeRaised');
  }
}

async function checkSilence(db: Database, siteId: Types.ObjectId, settings: AlertSettings, raised: boolean, now: Date): Promise<void> {
  const last = await lastBeaconHour(db, siteId, new Date(now.getTime() - 30 * DAY_MS), new Date(now.getTime() + HOUR_MS));
  if (!last) return; // never had traffic (or none for 30 days): nothing went silent
  // The last beacon came at some point of that hour; count silence from the hour's end.
  const silentMs = now.getTime() - (last.getTime() + HOUR_MS);
  const silent = silentMs >= settings.silentHours * HOUR_MS;
  if (silent && !raised) {
    await raise(db, siteId, 'silentRaised', 'integration.silent', { lastBeaconHour: last.toISOString(), silentHours: Math.floor(silentMs / HOUR_MS), thresholdHours: settings.silentHours }, now);
  } else if (!silent && raised) {
    await lower(db, siteId, 'silentRaised');
  }
}

/** One sweep over the sites whose enabled endpoints subscribe to an alert. */
export async function sweepAlerts(db: Database, now: Date): Promise<void> {
  const { WebhookEndpoint, SiteAlert } = db.models;
  for (const type of ['fraud.spike', 'integration.silent'] as const) {
    const siteIds = (await WebhookEndpoint.distinct('siteId', { status: 'enabled', events: type })) as Types.ObjectId[];
    for (const siteId of siteIds) {
      await upsertAlertRow(db, siteId);
      const row = (await SiteAlert.findById(siteId).lean()) as AlertRow | null;
      const settings = settingsOf(row);
      if (type === 'fraud.spike') await checkFraudSpike(db, siteId, settings, Boolean(row?.fraudSpikeRaised), now);
      else await checkSilence(db, siteId, settings, Boolean(row?.silentRaised), now);
    }
  }
}
