import { Types } from 'mongoose';
import { generateToken, hashPassword, sha256Hex } from '@tagward/auth';
import type { InvitationDto } from '../dto.js';
import { invitationMail } from '../mail/templates.js';
import type { Actor, SiteRole } from '../permissions.js';
import { normalizeEmail, type AccountDeps } from './account-deps.js';
import { checkNewPassword, checkSignUpAllowed } from './accounts.js';
import { audit } from './audit.js';
import { linkTo } from './auth-tokens.js';
import { appError, badRequest, conflict, forbidden, isDuplicateKeyError, notFound } from './errors.js';
import { findUserById, startSession, type AuthResult } from './login.js';
import type { SiteRow } from './sites.js';

/**
 * Membership by invitation: an owner invites an email address with a role; the person at that
 * address becomes a member only by following the mailed link, logged in with (or signing up
 * with) that same address. The link is the consent and the proof of the address, so accepting
 * also marks the address verified. Every step goes to the audit log.
 */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

interface InvitationRow {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  email: string;
  role: string;
  invitedBy: Types.ObjectId;
  createdAt: Date;
  expiresAt: Date;
}

export async function listInvitations(deps: AccountDeps, site: SiteRow): Promise<InvitationDto[]> {
  const rows = (await deps.db.models.Invitation.find({ siteId: site._id, expiresAt: { $gt: deps.now } }).sort({ createdAt: -1 }).lean()) as InvitationRow[];
  const inviters = await deps.db.models.User.find({ _id: { $in: rows.map((r) => r.invitedBy) } }, { email: 1 }).lean();
  const emails = new Map(inviters.map((u) => [String(u._id), u.email]));
  return rows.map((row) => ({
    id: String(row._id),
    email: row.email,
    role: row.role === 'owner' ? 'owner' : 'viewer',
    invitedBy: emails.get(String(row.invitedBy)) ?? '(deleted account)',
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
  }));
}

/**
 * Invites `email` (or renews its pending invitation with a new link: one per site and address).
 * The answer does not depend on whether the address has an account.
 */
export async function inviteMember(deps: AccountDeps, site: SiteRow, actor: Actor & { email: string }, input: { email: string; role: SiteRole }): Promise<InvitationDto[]> {
  const email = normalizeEmail(input.email);
  const members = await deps.db.models.User.find({ _id: { $in: site.members.map((m) => m.userId) } }, { email: 1 }).lean();
  if (members.some((m) => m.email === email)) throw conflict('This person is already a member of the site.');
  if (!(await deps.services.mailsPerRecipient.consume(email, deps.now))) {
    throw appError('TOO_MANY_REQUESTS', 'throttled', 'This address was mailed too often in the last hour. Try again later.');
  }
  const { token, hash } = generateToken();
  const expiresAt = new Date(deps.now.getTime() + INVITATION_TTL_MS);
  const write = () =>
    deps.db.models.Invitation.updateOne(
      { siteId: site._id, email },
      { $set: { role: input.role, invitedBy: new Types.ObjectId(actor.id), tokenHash: hash, createdAt: deps.now, expiresAt } },
      { upsert: true },
    );
  // Two invitations of one address at once: one upsert inserts, the other hits the unique index
  // and renews what the first stored instead.
  await write().catch((error: unknown) => {
    if (!isDuplicateKeyError(error)) throw error;
    return write();
  });
  await audit(deps.db, { actorId: actor.id, action: 'invitation.create', target: String(site._id), after: { email, role: input.role }, at: deps.now });
  deps.services.mailer.sendInBackground(
    invitationMail(email, { siteName: site.name, role: input.role, inviter: actor.email, url: linkTo(deps.config.publicUrl, '/invite', token) }),
  );
  return listInvitations(deps, site);
}

export async function revokeInvitation(deps: AccountDeps, site: SiteRow, actor: Actor, invitationId: string): Promise<InvitationDto[]> {
  const removed = (await deps.db.models.Invitation.findOneAndDelete({ _id: invitationId, siteId: site._id }).lean()) as InvitationRow | null;
  if (!removed) throw notFound('No such invitation on this site.');
  await audit(deps.db, { actorId: actor.id, action: 'invitation.revoke', target: String(site._id), before: { email: removed.email, role: removed.role }, at: deps.now });
  return listInvitations(deps, site);
}

async function findByToken(deps: AccountDeps, token: string): Promise<InvitationRow | null> {
  const row = (await deps.db.models.Invitation.findOne({ tokenHash: sha256Hex(token) }).lean()) as InvitationRow | null;
  return row && row.expiresAt.getTime() > deps.now.getTime() ? row : null;
}

const GONE = 'This invitation is used up, revoked or expired. Ask the site owner for a new one.';

/**
 * What the invitation page shows to whoever holds the link: only the person at the invited
 * address does, so it may say whether that address has an account (log in, or sign up).
 */
export async function previewInvitation(deps: AccountDeps, token: string) {
  const row = await findByToken(deps, token);
  if (!row) throw notFound(GONE);
  const [site, inviter, account] = await Promise.all([
    deps.db.models.Site.findById(row.siteId, { name: 1 }).lean(),
    deps.db.models.User.findById(row.invitedBy, { email: 1 }).lean(),
    deps.db.models.User.findOne({ email: row.email }, { _id: 1 }).lean(),
  ]);
  if (!site) throw notFound(GONE);
  return { siteName: site.name, role: row.role === 'owner' ? 'owner' : 'viewer', email: row.email, invitedBy: inviter?.email ?? 'a former owner', accountExists: Boolean(account), expiresAt: row.expiresAt.toISOString() };
}

/**
 * Accepts for the logged-in account, which must use the invited address. One transaction: the
 * invitation is deleted (its use: a second acceptance finds nothing), the member added, the
 * address marked verified and the audit entry written, or none of it.
 */
export async function acceptInvitation(deps: AccountDeps, token: string, userId: string): Promise<{ siteId: string }> {
  const user = await findUserById(deps, userId);
  const invitation = await findByToken(deps, token);
  if (!invitation || !user) throw notFound(GONE);
  if (invitation.email !== user.email) {
    throw forbidden(`This invitation is for ${invitation.email}. Log out and log in with that address to accept it.`);
  }
  await deps.db.transaction(async (session) => {
    const used = await deps.db.models.Invitation.deleteOne({ _id: invitation._id, tokenHash: sha256Hex(token) }, { session });
    if (used.deletedCount !== 1) throw notFound(GONE);
    const added = await deps.db.models.Site.updateOne(
      { _id: invitation.siteId, 'members.userId': { $ne: user._id } },
      { $push: { members: { userId: user._id, role: invitation.role } } },
      { session },
    );
    if (added.matchedCount === 0 && !(await deps.db.models.Site.exists({ _id: invitation.siteId }).session(session))) throw notFound(GONE);
    await deps.db.models.User.updateOne({ _id: user._id, emailVerifiedAt: null }, { $set: { emailVerifiedAt: deps.now } }, { session });
    await audit(deps.db, { actorId: userId, action: 'invitation.accept', target: String(invitation.siteId), after: { role: invitation.role, invitedBy: String(invitation.invitedBy) }, at: deps.now }, session);
  });
  return { siteId: String(invitation.siteId) };
}

/** Accepting with a new account: the invited address, verified by the link, and a password. */
export async function acceptInvitationWithSignUp(deps: AccountDeps, input: { token: string; password: string }): Promise<AuthResult & { siteId: string }> {
  const invitation = await findByToken(deps, input.token);
  if (!invitation) throw notFound(GONE);
  if (!deps.config.signupOpen) throw forbidden('Sign-up is closed on this server. Ask an operator for an account.');
  checkNewPassword(input.password, invitation.email);
  await checkSignUpAllowed(deps);
  let userId: string;
  try {
    const created = await deps.db.models.User.create({ email: invitation.email, passwordHash: await hashPassword(input.password), emailVerifiedAt: deps.now });
    userId = String(created._id);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    // Only the person at this address holds the link, so saying this reveals nothing new.
    throw conflict('An account already uses this address. Log in to accept, or reset its password if you cannot.');
  }
  await audit(deps.db, { actorId: userId, action: 'account.signup', target: `user:${userId}`, after: { via: 'invitation' }, at: deps.now });
  const { siteId } = await acceptInvitation(deps, input.token, userId);
  const user = await findUserById(deps, userId);
  if (!user) throw badRequest('The account could not be read back.');
  return { ...(await startSession(deps, user)), siteId };
}
