/**
 * Changing rules: drafts, publish, rollback, shadow mode. Every change and its audit entry commit
 * in one transaction, under the rules lock (packages/db locks.ts), so two admins changing rules
 * at once are serialised: the second sees the first's result, there is never a second draft or a
 * second published version in a scope, and a global publish and an override publish cannot each
 * be checked against the other's old rules.
 */
import { takeLock, type Database } from '@tagward/db';
import { DEFAULT_RULES, type Rules, type RulesOverride } from '@tagward/trust';
import { Types, type ClientSession } from 'mongoose';
import { audit } from '../../audit.js';
import { emitWebhookEvent } from '../../webhooks/outbox.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import type { RulesScope, RulesStateDto } from '../dto.js';
import { mergeOrExplain, parseGlobalRules, parseOverride, requireNote } from './parse.js';
import { getRulesState } from './state.js';
import {
  GLOBAL_SCOPE,
  assertOverridesFit,
  findDraft,
  findPublished,
  isGlobalScope,
  liveGlobalRules,
  maxVersion,
  siteOf,
  type Actor,
  type RulesRow,
} from './store.js';

/** Validates rules for a scope the way the beacon will use them. */
async function validateForScope(db: Database, scope: RulesScope, input: unknown, session?: ClientSession): Promise<Rules | RulesOverride> {
  if (isGlobalScope(scope)) return parseGlobalRules(input);
  const override = parseOverride(input);
  // The beacon merges the override into the global rules in force: refuse what cannot merge.
  mergeOrExplain((await liveGlobalRules(db, session)).rules, override);
  return override;
}

function withVersion(scope: RulesScope, rules: Rules | RulesOverride, version: number): Rules | RulesOverride {
  return isGlobalScope(scope) ? { ...(rules as Rules), version } : rules;
}

/** Creates the scope's draft or replaces its rules. */
export async function saveDraft(db: Database, actor: Actor, scope: RulesScope, input: unknown, now: Date): Promise<RulesStateDto> {
  await siteOf(db, scope);
  const validated = await validateForScope(db, scope, input);
  await db.transaction(async (session) => {
    await takeLock(db, 'rules', session);
    const existing = await findDraft(db, scope, session);
    if (existing) {
      const rules = withVersion(scope, validated, existing.version);
      await db.models.RulesVersion.updateOne({ _id: existing._id, status: 'draft' }, { $set: { rules } }, { session });
      await audit(db, { actorId: actor.id, action: 'rules.draft.save', target: scope, before: { version: existing.version, rules: existing.rules }, after: { version: existing.version, rules }, at: now }, session);
      return;
    }
    const version = (await maxVersion(db, scope, session)) + 1;
    const rules = withVersion(scope, validated, version);
    await db.models.RulesVersion.create([{ scope, version, status: 'draft', rules, note: '', createdBy: new Types.ObjectId(actor.id), shadow: false }], { session });
    await audit(db, { actorId: actor.id, action: 'rules.draft.save', target: scope, before: null, after: { version, rules }, at: now }, session);
  });
  return getRulesState(db, scope);
}

export async function discardDraft(db: Database, actor: Actor, scope: RulesScope, now: Date): Promise<RulesStateDto> {
  await siteOf(db, scope);
  await db.transaction(async (session) => {
    await takeLock(db, 'rules', session);
    const draft = await db.models.RulesVersion.findOneAndDelete({ scope, status: 'draft' }, { session }).lean();
    // Nothing to discard is not an error: the outcome the admin asked for already holds.
    if (!draft) return;
    await audit(db, { actorId: actor.id, action: 'rules.draft.discard', target: scope, before: { version: draft.version, rules: draft.rules, shadow: Boolean(draft.shadow) }, after: null, at: now }, session);
  });
  return getRulesState(db, scope);
}

/**
 * The rules.published webhook, in the publish's transaction: to the site for an override, to every
 * site for the global rules. Neither the rules nor the admin's note go out: they describe how
 * fraud is detected, which is not for every client's receiver.
 */
async function announcePublish(db: Database, scope: RulesScope, data: { version: number; publishedAt: string; rollbackTo: number | null }, now: Date, session: ClientSession): Promise<void> {
  const global = isGlobalScope(scope);
  await emitWebhookEvent(db, { siteId: global ? null : new Types.ObjectId(scope), type: 'rules.published', data: { scope: global ? 'global' : 'site', ...data }, at: now }, session);
}

/** Archives the scope's published version (the first write of a publish or a rollback). */
async function archivePublished(db: Database, scope: RulesScope, session: ClientSession): Promise<RulesRow | null> {
  const previous = await findPublished(db, scope, session);
  if (previous) await db.models.RulesVersion.updateOne({ _id: previous._id, status: 'published' }, { $set: { status: 'archived' } }, { session });
  return previous;
}

function auditBefore(previous: RulesRow | null) {
  return previous ? { version: previous.version, rules: previous.rules } : { version: 0, rules: null };
}

export async function publishDraft(db: Database, actor: Actor, scope: RulesScope, note: string, now: Date): Promise<RulesStateDto> {
  const text = requireNote(note);
  await siteOf(db, scope);
  await db.transaction(async (session) => {
    await takeLock(db, 'rules', session);
    const draft = await findDraft(db, scope, session);
    if (!draft) throw badRequest('There is no draft to publish. Edit the rules first.');
    const rules = await validateForScope(db, scope, draft.rules, session);
    if (isGlobalScope(scope)) await assertOverridesFit(db, rules as Rules, session);
    // The draft keeps its number unless a rollback published a higher one since it was created.
    const top = await maxVersion(db, scope, session);
    const version = draft.version === top ? draft.version : top + 1;
    const stored = withVersion(scope, rules, version);
    const previous = await archivePublished(db, scope, session);
    const updated = await db.models.RulesVersion.updateOne(
      { _id: draft._id, status: 'draft' },
      { $set: { status: 'published', version, rules: stored, note: text, publishedAt: now, shadow: false, createdBy: new Types.ObjectId(actor.id) } },
      { session },
    );
    if (updated.matchedCount === 0) throw conflict('The draft was published or discarded meanwhile. Reload.');
    await audit(db, { actorId: actor.id, action: 'rules.publish', target: scope, before: auditBefore(previous), after: { version, rules: stored, note: text, shadowEnded: Boolean(draft.shadow) }, at: now }, session);
    await announcePublish(db, scope, { version, publishedAt: now.toISOString(), rollbackTo: null }, now, session);
  });
  return getRulesState(db, scope);
}

/**
 * Rollback publishes a copy of an older version as a new version, so history stays linear and
 * the beacon's "highest published version" rule keeps working. Version 0 is the built-in
 * defaults (global) or "no override" (a site).
 */
export async function rollback(db: Database, actor: Actor, scope: RulesScope, toVersion: number, note: string, now: Date): Promise<RulesStateDto> {
  const text = requireNote(note);
  await siteOf(db, scope);
  await db.transaction(async (session) => {
    await takeLock(db, 'rules', session);
    const current = await findPublished(db, scope, session);
    if ((current?.version ?? 0) === toVersion) throw badRequest(`Version ${toVersion} is already in force.`);
    let source: unknown;
    if (toVersion === 0) {
      source = isGlobalScope(scope) ? DEFAULT_RULES : {};
    } else {
      const row = await db.models.RulesVersion.findOne({ scope, version: toVersion, status: { $in: ['published', 'archived'] } }, null, { session }).lean();
      if (!row) throw notFound(`Version ${toVersion} was never published in this scope.`);
      source = row.rules;
    }
    const rules = await validateForScope(db, scope, source, session);
    if (isGlobalScope(scope)) await assertOverridesFit(db, rules as Rules, session);
    const version = (await maxVersion(db, scope, session)) + 1;
    const stored = withVersion(scope, rules, version);
    const previous = await archivePublished(db, scope, session);
    await db.models.RulesVersion.create(
      [{ scope, version, status: 'published', rules: stored, note: `Rollback to v${toVersion}: ${text}`, createdBy: new Types.ObjectId(actor.id), publishedAt: now, shadow: false }],
      { session },
    );
    await audit(db, { actorId: actor.id, action: 'rules.rollback', target: scope, before: auditBefore(previous), after: { version, from: toVersion, rules: stored, note: text }, at: now }, session);
    await announcePublish(db, scope, { version, publishedAt: now.toISOString(), rollbackTo: toVersion }, now, session);
  });
  return getRulesState(db, scope);
}

/** Shadow mode runs the global draft beside the live rules on incoming beacons. */
export async function setShadow(db: Database, actor: Actor, enabled: boolean, now: Date): Promise<RulesStateDto> {
  await db.transaction(async (session) => {
    const draft = await db.models.RulesVersion.findOneAndUpdate(
      { scope: GLOBAL_SCOPE, status: 'draft' },
      { $set: { shadow: enabled } },
      { session, returnDocument: 'before', projection: { version: 1, shadow: 1 } },
    ).lean();
    if (!draft) {
      if (enabled) throw badRequest('Shadow mode runs the global draft: create a draft first.');
      return;
    }
    if (Boolean(draft.shadow) === enabled) return;
    await audit(db, {
      actorId: actor.id,
      action: enabled ? 'rules.shadow.on' : 'rules.shadow.off',
      target: GLOBAL_SCOPE,
      before: { version: draft.version, shadow: Boolean(draft.shadow) },
      after: { version: draft.version, shadow: enabled },
      at: now,
    }, session);
  });
  return getRulesState(db, GLOBAL_SCOPE);
}
