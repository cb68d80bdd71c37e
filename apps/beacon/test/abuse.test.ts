/**
 * The security review's findings against the beacon, each written as the attack. On the code
 * before this change: the flood used up the site's quota (a real visitor got 429), rotating user
 * agents walked past the per-visitor limit (199 of 200 accepted), idle sockets were never closed,
 * and a malformed %-encoding in a verify URL answered 500 and logged an error.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createBeacon } from '../src/server.js';
import { createCheckers } from '../src/checkers.js';
import { beaconPayload, chromiumBeaconHeaders, postBeacon, seedSite, startTestBeacon, testConfig, type TestBeacon } from './helpers.js';

let t: TestBeacon;

/**
 * A fixed clock: every beacon of this file falls in one rate-limit window, however slow the run.
 * In the future, so the TTL index does not delete the window's quota slots while it runs.
 */
const NOW = Date.parse('2030-06-01T12:00:30Z');

beforeAll(async () => {
  t = await startTestBeacon(
    'abuse',
    { keyLimitPerWindow: 300, visitorLimitPerWindow: 20, addressLimitPerWindow: 40, networkLimitPerWindow: 200, maxConnectionsPerAddress: 16, idleTimeoutMs: 400 },
    undefined,
    undefined,
    () => NOW,
  );
});
afterAll(async () => {
  await t?.close();
});

const ua = (i: number) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.${i}.0 Safari/537.36`;

async function flood(url: string, publicKey: string, n: number, headers: (i: number) => Record<string, string>, localAddress?: string) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i += 8) {
    const wave = await Promise.all(
      Array.from({ length: Math.min(8, n - i) }, (_, k) => postBeacon(url, JSON.stringify(beaconPayload(publicKey)), headers(i + k), { localAddress })),
    );
    statuses.push(...wave.map((r) => r.status));
  }
  return statuses;
}

describe('one client cannot deny a site its statistics', () => {
  test('a flood from one address and user agent spends none of the site quota it was refused, and another visitor still gets in', async () => {
    const site = await seedSite(t.db, t.masterKey);
    const statuses = await flood(t.url, site.publicKey, 500, () => chromiumBeaconHeaders(), '127.0.0.1');
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(480);
    // A real visitor on another address: the site's quota (300) was spent by 20 beacons only.
    const visitor = await postBeacon(t.url, JSON.stringify(beaconPayload(site.publicKey)), chromiumBeaconHeaders(), { localAddress: '127.0.0.2' });
    expect(visitor.status).toBe(200);
  });

  test('rotating the user agent does not reset the limit: the address limit holds', async () => {
    const site = await seedSite(t.db, t.masterKey);
    const statuses = await flood(t.url, site.publicKey, 200, (i) => ({ ...chromiumBeaconHeaders(), 'User-Agent': ua(i) }), '127.0.0.3');
    expect(statuses.filter((s) => s === 200)).toHaveLength(40);
  });

  test('many addresses of one /24 share the network limit, and their refusals leave the site quota alone', async () => {
    const site = await seedSite(t.db, t.masterKey);
    let accepted = 0;
    for (let a = 10; a < 20; a++) {
      const statuses = await flood(t.url, site.publicKey, 40, (i) => ({ ...chromiumBeaconHeaders(), 'User-Agent': ua(i) }), `127.0.0.${a}`);
      accepted += statuses.filter((s) => s === 200).length;
    }
    expect(accepted).toBe(200);
    // The site quota (300) still has room for a visitor from another network.
    const other = await postBeacon(t.url, JSON.stringify(beaconPayload(site.publicKey)), chromiumBeaconHeaders(), { localAddress: '127.0.1.1' });
    expect(other.status).toBe(200);
  });

  test('the site quota refuses past its limit, and says when to retry', async () => {
    const site = await seedSite(t.db, t.masterKey);
    let accepted = 0;
    let refused: Awaited<ReturnType<typeof postBeacon>> | undefined;
    for (let a = 0; a < 30 && !refused; a++) {
      for (const status of await flood(t.url, site.publicKey, 20, (i) => ({ ...chromiumBeaconHeaders(), 'User-Agent': ua(i) }), `127.0.${2 + a}.1`)) {
        if (status === 200) accepted++;
      }
      if (accepted >= 300) refused = await postBeacon(t.url, JSON.stringify(beaconPayload(site.publicKey)), chromiumBeaconHeaders(), { localAddress: `127.0.${2 + a}.9` });
    }
    expect(accepted).toBe(300);
    expect(refused?.status).toBe(429);
    expect(refused?.body.error?.message).toMatch(/this site/);
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });
});

describe('connections', () => {
  function openSocket(url: string, localAddress: string): Promise<net.Socket> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port), localAddress }, () => resolve(socket));
      socket.on('error', reject);
    });
  }
  const closed = (socket: net.Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

  test('idle connections that never send a byte are closed', async () => {
    const sockets = await Promise.all(Array.from({ length: 12 }, () => openSocket(t.url, '127.0.0.30')));
    const started = Date.now();
    await Promise.all(sockets.map(closed));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('past the per-address cap, new connections are closed at once; other addresses still connect', async () => {
    const sockets = await Promise.all(Array.from({ length: 30 }, () => openSocket(t.url, '127.0.0.31').catch(() => undefined)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const open = sockets.filter((s) => s && !s.destroyed);
    expect(open.length).toBe(16);
    const other = await postBeacon(t.url, JSON.stringify(beaconPayload('pk_live_unknownunknownunknown')), chromiumBeaconHeaders(), { localAddress: '127.0.0.32' });
    expect(other.status).toBe(401);
    for (const s of sockets) s?.destroy();
  });
});

test('a malformed %-encoding in a verify URL answers 400 invalid_event_id and logs nothing', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const config = testConfig(t.masterKey);
  const beacon = await createBeacon({ db: t.db, config, log, ...createCheckers({ db: t.db, config, log }) });
  const url = await beacon.listen(0, '127.0.0.1');
  try {
    for (const id of ['%E0%A4%A', '%', 'abc%zz']) {
      const res = await fetch(`${url}/v1/verify/beacons/${id}`, { headers: { authorization: 'Bearer sk_live_x' } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_event_id');
    }
    expect(lines.filter((l) => /"level":(40|50|60)/.test(l))).toEqual([]);
  } finally {
    await beacon.close();
  }
});
