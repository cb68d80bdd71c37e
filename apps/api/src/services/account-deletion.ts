import { Types } from 'mongoose';
import { accountDeletedMail } from '../mail/templates.js';
import type { AccountDeps } from './account-deps.js';
import { audit } from './audit.js';
import { badRequest, conflict, unauthorized } from './errors.js';
import { findUserById } from './login.js';
import { deleteSite, type SiteRow } from './sites.js';

/**
 * Deleting an account. What happens to each site is spelled out first (`deletionPlan`) and
 * chosen by the person: a site they are the only owner of is either handed to another member
 * with a verified email (who becomes owner) or deleted with all its data; a site with other
 * owners only loses them as a member. Nothing is decided for them: a sole-owned site without a
 * choice stops the deletion.
 */
export interface SitePlanDto {
  siteId: string;
  name: string;
  mode: 'live' | 'test';
  role: 'owner' | 'viewer';
  /** The person is its only owner: they must transfer it or delete it. */
  soleOwner: boolean;
  /** Members it can be handed to (verified email). */
  transferCandidates: Array<{ userId: string; email: string }>;
}

export type SiteDecision = { siteId: string; action: 'transfer'; toUserId: string } | { siteId: string; action: 'delete' };

async function memberSites(deps: AccountDeps, userId: Types.ObjectId): Promise<SiteRow[]> {
  return (await deps.db.models.Site.find({ 'members.userId': userId }).sort({ name: 1 }).lean()) as SiteRow[];
}

export async function deletionPlan(deps: AccountDeps, userIdText: string): Promise<SitePlanDto[]> {
  const userId = new Types.ObjectId(userIdText);
  const sites = await memberSites(deps, userId);
  const others = sites.flatMap((s) => s.members.map((m) => m.userId)).filter((id) => !id.equals(userId));
  const users = await deps.db.models.User.find({ _id: { $in: others } }, { email: 1, emailVerifiedAt: 1 }).lean();
  const byId = new Map(users.map((u) => [String(u._id), u]));
  return sites.map((site) => {
    const me = site.members.find((m) => m.userId.equals(userId));
    const owners = site.members.filter((m) => m.role === 'owner');
    return {
      siteId: String(site._id),
      name: site.name,
      mode: site.mode === 'live' ? 'live' : 'test',
      role: me?.role === 'owner' ? 'owner' : 'viewer',
      soleOwner: me?.role === 'owner' && owners.length === 1,
      transferCandidates: site.members
        .filter((m) => !m.userId.equals(userId) && byId.get(String(m.userId))?.emailVerifiedAt)
        .map((m) => ({ userId: String(m.userId), email: byId.get(String(m.userId))!.email })),
    };
  });
}

/** Makes `toUserId` an owner of the site, if they are still a member and the actor still owns it. */
async function transferSite(deps: AccountDeps, site: SitePlanDto, actorId: string, toUserId: string): Promise<void> {
  if (!site.transferCandidates.some((c) => c.userId === toUserId)) {
    throw badRequest(`“${site.name}” can only go to one of its members with a verified email.`);
  }
  const target = new Types.ObjectId(toUserId);
  const moved = await deps.db.models.Site.updateOne(
    { _id: site.siteId, members: { $elemMatch: { userId: new Types.ObjectId(actorId), role: 'owner' } }, 'members.userId': target },
    { $set: { 'members.$[to].role': 'owner' } },
    { arrayFilters: [{ 'to.userId': target }] },
  );
  if (moved.matchedCount === 0) throw conflict(`“${site.name}” changed meanwhile. Look at the plan again.`);
  await audit(deps.db, { actorId, action: 'site.transfer', target: site.siteId, after: { to: toUserId }, at: deps.now });
}

/**
 * Carries out the choices, then removes the person from every site, ends their sessions, drops
 * their tokens and pending invitations they sent, and deletes the account. The last step is one
 * transaction that re-checks no site is left without an owner.
 */
export async function deleteAccount(
  deps: AccountDeps,
  input: { userId: string; confirmEmail: string; decisions: SiteDecision[] },
): Promise<{ deletedSites: number; transferredSites: number }> {
  const user = await findUserById(deps, input.userId);
  if (!user) throw unauthorized();
  if (input.confirmEmail.trim().toLowerCase() !== user.email) throw badRequest('Type your email address exactly to confirm the deletion.');
  const plan = await deletionPlan(deps, input.userId);
  const decisions = new Map(input.decisions.map((d) => [d.siteId, d]));
  const undecided = plan.filter((s) => s.soleOwner && !decisions.has(s.siteId));
  if (undecided.length) throw badRequest(`Choose what happens to ${undecided.map((s) => `“${s.name}”`).join(', ')} first.`);

  let deletedSites = 0;
  let transferredSites = 0;
  for (const site of plan.filter((s) => s.soleOwner)) {
    const decision = decisions.get(site.siteId)!;
    if (decision.action === 'transfer') {
      await transferSite(deps, site, input.userId, decision.toUserId);
      transferredSites++;
    } else {
      const row = (await deps.db.models.Site.findById(site.siteId).lean()) as SiteRow | null;
      if (row) await deleteSite(deps.db, row, { id: input.userId, role: 'user' }, row.name, deps.now);
      deletedSites++;
    }
  }

  const userId = new Types.ObjectId(input.userId);
  await deps.db.transaction(async (session) => {
    const owned = await deps.db.models.Site.find({ members: { $elemMatch: { userId, role: 'owner' } } }, { name: 1, members: 1 }, { session }).lean();
    const orphan = owned.find((s) => !s.members.some((m) => m.role === 'owner' && !m.userId.equals(userId)));
    if (orphan) throw conflict(`“${orphan.name}” would be left without an owner. Look at the plan again.`);
    await deps.db.models.Site.updateMany({ 'members.userId': userId }, { $pull: { members: { userId } } }, { session });
    await deps.db.models.Session.deleteMany({ userId }, { session });
    await deps.db.models.AuthToken.deleteMany({ userId }, { session });
    await deps.db.models.Invitation.deleteMany({ invitedBy: userId }, { session });
    await deps.db.models.User.deleteOne({ _id: userId }, { session });
    await audit(deps.db, { actorId: input.userId, action: 'account.delete', target: `user:${input.userId}`, after: { deletedSites, transferredSites }, at: deps.now }, session);
  });
  deps.services.mailer.sendInBackground(
    accountDeletedMail(user.email, [`Sites deleted: ${deletedSites}. Sites handed to another owner: ${transferredSites}. You were removed from every other site.`]),
  );
  return { deletedSites, transferredSites };
}
