import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '@tagward/db';

/**
 * Visitor hashes: sha256(daily salt, site, IP, User-Agent), truncated. The salt is random, shared
 * by every beacon process through the database (first writer wins), and deleted by a TTL index
 * after two days, so after that nobody — us included — can tell whether an IP was a visitor. No
 * raw IP is stored.
 */
export class VisitorHasher {
  private salts = new Map<string, Promise<string>>();

  constructor(private readonly db: Database) {}

  async hash(siteId: string, ip: string, userAgent: string, now: number): Promise<string> {
    const salt = await this.saltFor(now);
    return createHash('sha256')
      .update(salt)
      .update('\u0000')
      .update(siteId)
      .update('\u0000')
      .update(ip)
      .update('\u0000')
      .update(userAgent)
      .digest('base64url')
      .slice(0, 22);
  }

  private saltFor(now: number): Promise<string> {
    const day = new Date(now).toISOString().slice(0, 10);
    let salt = this.salts.get(day);
    if (!salt) {
      salt = this.loadSalt(day, now);
      // Forget a failed load so the next request retries once the database is back.
      salt.catch(() => this.salts.delete(day));
      this.salts.set(day, salt);
      if (this.salts.size > 3) this.salts.delete(this.salts.keys().next().value!);
    }
    return salt;
  }

  private async loadSalt(day: string, now: number): Promise<string> {
    const { Salt } = this.db.models;
    try {
      await Salt.collection.insertOne({
        _id: day as never,
        salt: randomBytes(32).toString('base64'),
        createdAt: new Date(now),
      });
    } catch (error) {
      // Another process created today's salt first: use theirs.
      if ((error as { code?: number }).code !== 11000) throw error;
    }
    const doc = await Salt.findById(day).lean();
    if (!doc) throw new Error(`salt for ${day} vanished`);
    return doc.salt;
  }
}
