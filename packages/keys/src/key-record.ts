/**
 * What the verifier and the verify API need to know about one secret key: the fields of the
 * `SecretKey` model, with `siteId` as a string. The caller maps its database document to this.
 */
export interface KeyRecord {
  kid: string;
  siteId: string;
  /** sha256(secret key), hex. */
  secretHash: string;
  /** The page-token signing key sealed under the master key. */
  signingKeyEnc: string;
  /** End of the rotation grace period; null while the key is current. */
  expiresAt: Date | null;
  /** Set when the key was revoked; null otherwise. */
  revokedAt: Date | null;
}

/** Looks a key up by its public id; undefined when there is none. */
export type LookupKey = (kid: string) => Promise<KeyRecord | undefined>;

/** Why a key no longer authenticates anything at time `now`, or undefined when it does. */
export function keyRejection(
  record: Pick<KeyRecord, 'expiresAt' | 'revokedAt'>,
  now: number,
): 'revoked' | 'expired' | undefined {
  if (record.revokedAt && record.revokedAt.getTime() <= now) return 'revoked';
  if (record.expiresAt && record.expiresAt.getTime() <= now) return 'expired';
  return undefined;
}
