/**
 * What crosses the wire. Every procedure returns one of these plain shapes, built field by field
 * from database rows: a mongoose document (with its `_id`, `__v`, getters and whatever fields a
 * model gains later) never reaches a client. Dates travel as ISO strings, so the shapes survive
 * JSON without a transformer.
 */
import type { SiteRole } from './permissions.js';

export interface UserDto {
  id: string;
  email: string;
  role: 'user' | 'admin';
  /** The owner used a link mailed to this address (docs/accounts.md). */
  emailVerified: boolean;
  twoFactor: boolean;
}

/** How a login step ended: logged in, a second factor is needed, or "check your inbox". */
export type LoginOutcomeDto =
  | { status: 'logged_in'; user: UserDto }
  | { status: 'second_factor'; ticket: string }
  | { status: 'link_sent' };

export interface SiteDto {
  id: string;
  name: string;
  mode: 'live' | 'test';
  publicKey: string;
  allowedOrigins: string[];
  pageTokenRequired: boolean;
  attestationCohortPct: number;
  /** Months raw events are kept (rollups longer): docs/deploy.md, data lifecycle. */
  retentionMonths: number;
  /** The caller's role on this site; null for a platform admin who is not a member. */
  role: SiteRole | null;
  createdAt: string;
}

export interface SiteSummaryDto {
  id: string;
  name: string;
  mode: 'live' | 'test';
  publicKey: string;
  role: SiteRole | null;
}

export interface MemberDto {
  userId: string;
  email: string;
  role: SiteRole;
  isYou: boolean;
  /** Whether the member's email is verified: only they can be made owners by a transfer. */
  emailVerified: boolean;
}

export interface InvitationDto {
  id: string;
  email: string;
  role: SiteRole;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
}

export type KeyStateDto = 'active' | 'expiring' | 'expired' | 'revoked';

export interface SecretKeyDto {
  kid: string;
  /** Last four characters, to tell keys apart. */
  hint: string;
  state: KeyStateDto;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The one time a secret key is shown. */
export interface NewSecretKeyDto {
  secretKey: string;
  kid: string;
  hint: string;
}

export type OriginCheckDto =
  | { ok: true; value: string }
  | { ok: false; code: string; message: string };
