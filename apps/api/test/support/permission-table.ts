/**
 * The permission table of tenant-isolation.test.ts: one row per tRPC procedure, with who may call
 * it and an input that works for its rightful caller.
 */
import { PASSWORD, uniqueEmail } from '../helpers.js';

/** What a row may reference: ids of one tenant's objects. */
export interface Ids {
  siteId: string;
  siteName: string;
  eventId: string;
  kid: string;
  viewerUserId: string;
  origin: string;
  email: string;
  /** A pending invitation of the site, and the token its mail carries. */
  invitationId: string;
  inviteToken: string;
  /** A restricted key and a webhook endpoint of the site. */
  restrictedKid: string;
  endpointId: string;
}

export type Access =
  /** Reads one site: its members (owners and viewers) and platform admins. */
  | { kind: 'site-read' }
  /** Changes one site, or reads its secrets: owners only. */
  | { kind: 'site-owner' }
  /** Acts on the caller's own account or creates their own data; takes no other tenant's id. */
  | { kind: 'own'; why: string }
  /** Platform administration (moderation): User.role 'admin' only; everyone else FORBIDDEN. */
  | { kind: 'admin' }
  /**
   * Acts on a token we mailed (or handed out at a login step): whoever holds it is the rightful
   * caller, with or without a session. These flows are tested in accounts*.test.ts.
   */
  | { kind: 'token' };

export interface Row {
  access: Access;
  input: (ids: Ids) => unknown;
  /** What the rightful call answers when it cannot succeed on scratch data (default OK). */
  rightful?: string;
}

export const TABLE: Record<string, Row> = {
  'auth.me': { access: { kind: 'own', why: "returns the caller's own user" }, input: () => undefined },
  'auth.signUp': { access: { kind: 'own', why: 'creates a new account' }, input: () => ({ email: uniqueEmail('new'), password: PASSWORD }) },
  'auth.logIn': { access: { kind: 'own', why: 'needs the password of the account' }, input: (ids) => ({ email: ids.email, password: PASSWORD }) },
  'auth.logOut': { access: { kind: 'own', why: "ends the caller's own session" }, input: () => undefined },
  'auth.logOutEverywhere': { access: { kind: 'own', why: "ends the caller's own sessions" }, input: () => undefined },
  'auth.changePassword': { access: { kind: 'own', why: "needs the caller's current password" }, input: () => ({ currentPassword: PASSWORD, newPassword: 'a different passphrase' }) },
  'auth.verifyEmail': { access: { kind: 'token' }, input: () => ({ token: UNKNOWN_TOKEN }), rightful: 'BAD_REQUEST' },
  'auth.resendVerification': { access: { kind: 'own', why: "mails the caller's own address" }, input: () => undefined },
  'auth.logInSecondFactor': { access: { kind: 'token' }, input: () => ({ ticket: UNKNOWN_TOKEN, code: '123456' }), rightful: 'BAD_REQUEST' },
  'auth.logInWithLink': { access: { kind: 'token' }, input: () => ({ token: UNKNOWN_TOKEN }), rightful: 'BAD_REQUEST' },
  'auth.requestPasswordReset': { access: { kind: 'own', why: 'mails the address given; answers the same for every address' }, input: () => ({ email: uniqueEmail('reset') }) },
  'auth.resetPassword': { access: { kind: 'token' }, input: () => ({ token: UNKNOWN_TOKEN, newPassword: 'a different passphrase' }), rightful: 'BAD_REQUEST' },
  'auth.reauthenticate': { access: { kind: 'own', why: "checks the caller's own password" }, input: () => ({ password: PASSWORD }) },
  'twoFactor.status': { access: { kind: 'own', why: "the caller's own two-factor" }, input: () => undefined },
  'twoFactor.begin': { access: { kind: 'own', why: "the caller's own two-factor" }, input: () => undefined },
  'twoFactor.confirm': { access: { kind: 'own', why: "the caller's own two-factor" }, input: () => ({ code: '123456' }), rightful: 'BAD_REQUEST' },
  'twoFactor.disable': { access: { kind: 'own', why: "the caller's own two-factor" }, input: () => undefined },
  'twoFactor.regenerateRecoveryCodes': { access: { kind: 'own', why: "the caller's own two-factor" }, input: () => undefined, rightful: 'BAD_REQUEST' },
  'account.deletionPlan': { access: { kind: 'own', why: "the caller's own memberships" }, input: () => undefined },
  'account.delete': { access: { kind: 'own', why: "deletes the caller's own account (and the sites they choose)" }, input: (ids) => ({ confirmEmail: ids.email, decisions: [{ siteId: ids.siteId, action: 'delete' }] }) },
  'invitations.list': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId }) },
  'invitations.create': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, email: uniqueEmail('invitee'), role: 'owner' }) },
  'invitations.revoke': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, invitationId: ids.invitationId }) },
  'invitations.preview': { access: { kind: 'token' }, input: (ids) => ({ token: ids.inviteToken }) },
  'invitations.accept': { access: { kind: 'token' }, input: () => ({ token: UNKNOWN_TOKEN }), rightful: 'NOT_FOUND' },
  'invitations.acceptWithSignUp': { access: { kind: 'token' }, input: () => ({ token: UNKNOWN_TOKEN, password: PASSWORD }), rightful: 'NOT_FOUND' },
  'sites.list': { access: { kind: 'own', why: "lists the caller's memberships" }, input: () => undefined },
  'sites.create': { access: { kind: 'own', why: 'creates a site owned by the caller' }, input: () => ({ name: 'Another', mode: 'test' }) },
  'sites.get': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId }) },
  'sites.rename': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, name: 'Renamed' }) },
  'sites.updateSettings': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, pageTokenRequired: true, attestationCohortPct: 50 }) },
  'sites.delete': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, confirmName: ids.siteName }) },
  'sites.members': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId }) },
  'sites.removeMember': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, userId: ids.viewerUserId }) },
  'sites.integrationStatus': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId }) },
  'sites.install': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId }) },
  'keys.list': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId }) },
  'keys.create': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId }) },
  'keys.rotate': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, graceHours: 1 }) },
  'keys.revoke': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, kid: ids.kid }) },
  'origins.check': { access: { kind: 'own', why: 'validates a string; reads no site' }, input: () => ({ input: 'https://shop.example', mode: 'live' }) },
  'origins.add': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, origin: 'https://planted.example' }) },
  'origins.remove': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, origin: ids.origin }) },
  'stats.overview': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId, preset: '30d' }) },
  'stats.topPages': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId, preset: '30d' }) },
  'events.list': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId }) },
  'events.get': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId, eventId: ids.eventId }) },
  'events.reasonCodes': { access: { kind: 'own', why: 'static catalogue, no site data' }, input: () => undefined },
  'attestation.cohorts': { access: { kind: 'site-read' }, input: (ids) => ({ siteId: ids.siteId, preset: '30d' }) },
  // Moderation (platform admins). Their behaviour for admins is tested in moderation-*.test.ts;
  // here they prove that no site owner, viewer or stranger gets past the admin gate.
  'moderation.rules': { access: { kind: 'admin' }, input: () => ({ scope: 'global' }) },
  'moderation.versions': { access: { kind: 'admin' }, input: (ids) => ({ scope: ids.siteId }) },
  // A site's draft is an override of the global rules, not a whole rule set.
  'moderation.saveDraft': { access: { kind: 'admin' }, input: (ids) => ({ scope: ids.siteId, rules: { hard: { pageTokenRequired: true } } }) },
  'moderation.discardDraft': { access: { kind: 'admin' }, input: (ids) => ({ scope: ids.siteId }) },
  // No draft saved for this scope: nothing to publish.
  'moderation.publish': { access: { kind: 'admin' }, input: (ids) => ({ scope: ids.siteId, note: 'tenant table publish' }), rightful: 'BAD_REQUEST' },
  // Nothing was published in this scope: version 0 (the defaults) is already in force.
  'moderation.rollback': { access: { kind: 'admin' }, input: (ids) => ({ scope: ids.siteId, version: 0, note: 'tenant table rollback' }), rightful: 'BAD_REQUEST' },
  'moderation.setShadow': { access: { kind: 'admin' }, input: () => ({ enabled: false }) },
  'moderation.catalogue': { access: { kind: 'admin' }, input: () => undefined },
  'moderation.sites': { access: { kind: 'admin' }, input: () => ({ q: 'shop' }) },
  'moderation.startBacktest': { access: { kind: 'admin' }, input: (ids) => ({ window: { preset: '24h' }, siteId: ids.siteId }) },
  'moderation.backtest': { access: { kind: 'admin' }, input: () => ({ jobId: NO_SUCH_ID }), rightful: 'NOT_FOUND' },
  'moderation.backtests': { access: { kind: 'admin' }, input: () => undefined },
  'moderation.cancelBacktest': { access: { kind: 'admin' }, input: () => ({ jobId: NO_SUCH_ID }), rightful: 'NOT_FOUND' },
  'moderation.shadowCompare': { access: { kind: 'admin' }, input: () => ({ window: { preset: '24h' } }) },
  'moderation.reviewQueue': { access: { kind: 'admin' }, input: (ids) => ({ siteId: ids.siteId }) },
  'moderation.label': { access: { kind: 'admin' }, input: (ids) => ({ eventId: ids.eventId, value: 'fraud' }) },
  'moderation.metrics': { access: { kind: 'admin' }, input: () => ({ includeSuspect: true }) },
  'moderation.auditLog': { access: { kind: 'admin' }, input: () => ({}) },
  'moderation.auditActions': { access: { kind: 'admin' }, input: () => undefined },
  // Restricted keys and webhooks hold secrets, so even their reads are owners only.
  'apiKeys.list': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId }) },
  'apiKeys.create': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, name: 'planted', scopes: ['stats:read'] }) },
  'apiKeys.revoke': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, kid: ids.restrictedKid }) },
  'webhooks.list': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId }) },
  'webhooks.get': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, endpointId: ids.endpointId }) },
  'webhooks.create': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, url: 'http://127.0.0.1:9/planted', events: ['fraud.spike'] }) },
  'webhooks.update': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, endpointId: ids.endpointId, description: 'changed' }) },
  'webhooks.remove': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, endpointId: ids.endpointId }) },
  'webhooks.rollSecret': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, endpointId: ids.endpointId }) },
  'webhooks.sendTest': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, endpointId: ids.endpointId }) },
  'webhooks.deliveries': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, endpointId: ids.endpointId }) },
  'webhooks.alertSettings': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId }) },
  'webhooks.saveAlertSettings': { access: { kind: 'site-owner' }, input: (ids) => ({ siteId: ids.siteId, fraudSpikePct: 50, fraudSpikeWindowHours: 2, fraudSpikeMinEvents: 10, silentHours: 3 }) },
};

/** A well-formed id that names nothing: admin rows only need to get past the gate. */
const NO_SUCH_ID = '0'.repeat(24);
/** A well-formed token that was never issued. */
const UNKNOWN_TOKEN = 'a'.repeat(48);

