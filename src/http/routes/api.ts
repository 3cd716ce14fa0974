import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { ZInbox } from '../../core/inbox-schema.js';
import { createAgent, listAgents, publicAgent, updateAgent, ZCreateAgent, ZUpdateAgent } from '../../core/agents/manage-agents.js';
import { SETTABLE_PRESENCES, setPresence } from '../../core/agents/set-presence.js';
import { checkFlows } from '../../ivr/check-flows.js';
import { createInvite } from '../../core/agents/invites.js';
import { setAgentActive } from '../../core/agents/deactivate-agent.js';
import { disconnectAgent } from '../../core/agents/revoke-tokens.js';
import { loadActor } from '../../core/agents/tokens.js';
import { recordAudit } from '../../core/audit/record-audit.js';
import type { LoginThrottle } from '../../core/auth/login-throttle.js';
import { resetMfa } from '../../core/auth/mfa.js';
import { getConversation, listConversations, ZListQuery } from '../../core/conversations/list.js';
import { recordConversationView } from '../../core/conversations/record-view.js';
import { resolveConversation } from '../../core/conversations/resolve.js';
import { retrySend } from '../../core/conversations/retry-send.js';
import { sendReply } from '../../core/conversations/send-reply.js';
import { transferConversation, ZTransferTarget } from '../../core/conversations/transfer.js';
import { listTransferTargets } from '../../core/conversations/transfer-targets.js';
import { AppError } from '../../core/errors.js';
import { toPublicConversation, type Deps } from '../../core/ports.js';
import { acceptReservation, listPendingOffers, rejectReservation } from '../../core/routing/reservations.js';
import { queuesRouter } from './queues.js';
import { roomsFor } from '../../realtime/server.js';
import { listQueues } from '../../db/queries/queues.js';
import { PG, pgCodeOf } from '../../db/errors.js';
import { agents, inboxes, LANGUAGES } from '../../db/schema.js';
import { actorOf, auditContext, parse, requireAuth, requireRoles, requireSupervisor } from '../middleware.js';
import { accountRouter, authRouter } from './auth.js';
import { auditRouter } from './audit.js';
import { contentRouter } from './content.js';
import { crisisRouter } from './crisis.js';
import { incidentsRouter } from './incidents.js';
import { qualityRouter } from './quality.js';
import { filesRouter, signedFilesRouter } from './files.js';
import { reportsRouter } from './reports.js';
import { privacyRouter } from './privacy.js';
import { requestsRouter } from './requests.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });
const ZMyPreferences = z.object({ language: z.enum(LANGUAGES).optional() }).strict();
const ZStatus = z.object({ status: z.enum(SETTABLE_PRESENCES) });
const ZReply = z.object({ body: z.string().trim().min(1, 'body must not be empty').max(20_000), internal: z.boolean().optional() });
const ZResolve = z.object({ disposition: z.string().max(100).optional(), note: z.string().max(5000).optional() });

/**
 * The agent API (contract: "Agent API"). Every route but sign-in (routes/auth.ts) needs a
 * bearer token; `requireAuth` refuses deactivated agents and revoked tokens on every call.
 */
export function apiRouter(deps: Deps, opts: { throttle: LoginThrottle }): Router {
  const r = Router();
  const { db } = deps;

  r.use(authRouter(deps, opts.throttle));
  r.use(signedFilesRouter(deps));

  r.use(requireAuth(deps));
  r.use(filesRouter(deps));
  r.use(reportsRouter(deps));
  r.use(qualityRouter(deps));
  r.use(accountRouter(deps, opts.throttle));
  r.use(auditRouter(deps));

  r.get('/me', async (req, res) => {
    const agent = await publicAgent(db, actorOf(req).id);
    const mfaEnrolmentRequired =
      req.session?.via === 'password' && deps.config.access.mfaRequiredFor.includes(agent.role) && !agent.mfaEnabled;
    res.json({ agent, mfaEnrolmentRequired, passwordChangeRequired: agent.mustChangePassword });
  });

  // Extension: the agent's own preferences (the desk's language).
  r.patch('/me', async (req, res) => {
    const v = parse(ZMyPreferences, req.body);
    if (v.language)
      await db
        .update(agents)
        .set({ language: v.language })
        .where(eq(agents.id, actorOf(req).id));
    res.json({ agent: await publicAgent(db, actorOf(req).id) });
  });

  r.put('/me/status', async (req, res) => {
    const { status } = parse(ZStatus, req.body);
    await setPresence(deps, actorOf(req).id, status);
    res.json({ agent: await publicAgent(db, actorOf(req).id) });
  });

  r.get('/agents', requireSupervisor, async (_req, res) => {
    res.json({ agents: await listAgents(db) });
  });

  r.post('/agents', requireRoles('admin'), async (req, res) => {
    const input = parse(ZCreateAgent, req.body);
    const agent = await createAgent(db, input, auditContext(req));
    // Extension: no password given → a one-time link the admin hands to the agent.
    const invite = input.password ? undefined : await createInvite(db, deps.config.publicUrl, agent.id, auditContext(req));
    res.status(201).json({ agent, ...(invite ? { invite } : {}) });
  });

  // Extension: a (new) one-time set-password link for an agent; earlier unused ones stop working.
  r.post('/agents/:id/invite', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.status(201).json({ invite: await createInvite(db, deps.config.publicUrl, id, auditContext(req)) });
  });

  r.patch('/agents/:id', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    const { active, ...changes } = parse(ZUpdateAgent, req.body);
    if (active === false && id === actorOf(req).id) throw new AppError('bad_request', 'active: you cannot deactivate yourself');
    const before = await loadActor(db, id).catch(() => null);
    let agent = Object.keys(changes).length > 0 || active === undefined ? await updateAgent(db, id, changes, auditContext(req)) : null;
    if (changes.password) disconnectAgent(deps, id); // a reset password revokes the agent's tokens
    if (active !== undefined) agent = await setAgentActive(deps, id, active, auditContext(req));
    if (before && agent?.active) {
      // Leave only rooms no longer wanted: leaving agent:<id> would lose the sockets the join targets.
      const after = roomsFor(await loadActor(db, id));
      deps.realtime.moveSockets(
        id,
        roomsFor(before).filter((room) => !after.includes(room)),
        after,
      );
    }
    // New queues or capacity may match waiting work at once.
    await deps.jobs.dispatch('agent changed');
    res.json({ agent });
  });

  // A lost phone: the agent signs in with the password alone (and enrols again if the role requires MFA).
  r.delete('/agents/:id/mfa', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    await resetMfa(deps, id, auditContext(req));
    res.json({ agent: await publicAgent(db, id) });
  });

  // Supervisors set an agent's presence from the wallboard.
  r.put('/agents/:id/status', requireSupervisor, async (req, res) => {
    const { id } = parse(ZId, req.params);
    const { status } = parse(ZStatus, req.body);
    await setPresence(deps, id, status, `set by ${actorOf(req).id}`);
    res.json({ agent: await publicAgent(db, id) });
  });

  // Extension: the IVR flows as the admin screen shows them, with the `npm run ivr:check` result.
  // Checked against the real queues (their names and callbackOrder), not the defaults the script assumes.
  r.get('/ivr-flows', requireSupervisor, async (_req, res) => {
    const queues = await listQueues(db);
    res.json(checkFlows(deps.config.ivrFlowsDir, queues));
  });

  r.get('/inboxes', requireRoles('admin'), async (_req, res) => {
    res.json({ inboxes: (await db.select().from(inboxes).orderBy(inboxes.kind, inboxes.address)).map(publicInbox) });
  });

  r.post('/inboxes', requireRoles('admin'), async (req, res) => {
    const v = parse(ZInbox, req.body);
    const inbox = await db.transaction(async (tx) => {
      const rows = await tx
        .insert(inboxes)
        .values({
          kind: v.kind,
          address: v.kind === 'email' ? v.address.toLowerCase() : v.address,
          queueKey: v.queue,
          flow: v.flow ?? null,
        })
        .onConflictDoNothing()
        .returning()
        .catch(rethrowFk);
      if (!rows[0]) throw new AppError('conflict', `an inbox for ${v.kind} ${v.address} exists`);
      const after = publicInbox(rows[0]);
      await recordAudit(tx, { ...auditContext(req), action: 'inbox.create', target: `inbox:${after.id}`, details: { after } });
      return after;
    });
    deps.adminCache.changed('inboxes');
    res.status(201).json({ inbox });
  });

  r.patch('/inboxes/:id', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    const v = parse(
      z
        .object({
          queue: z.string().min(1).optional(),
          flow: z
            .string()
            .regex(/^[a-z0-9_-]+$/i)
            .nullish(),
        })
        .strict(),
      req.body,
    );
    const patch = { ...(v.queue ? { queueKey: v.queue } : {}), ...(v.flow !== undefined ? { flow: v.flow } : {}) };
    const inbox = await db.transaction(async (tx) => {
      const [old] = await tx.select().from(inboxes).where(eq(inboxes.id, id)).for('update');
      if (!old) throw new AppError('not_found', 'inbox not found');
      // An empty PATCH changes nothing: answer with the inbox as it is (drizzle refuses an empty SET), and audit nothing.
      if (Object.keys(patch).length === 0) return publicInbox(old);
      const [row] = await tx.update(inboxes).set(patch).where(eq(inboxes.id, id)).returning().catch(rethrowFk);
      const after = publicInbox(row);
      await recordAudit(tx, {
        ...auditContext(req),
        action: 'inbox.update',
        target: `inbox:${id}`,
        details: { before: publicInbox(old), after },
      });
      return after;
    });
    deps.adminCache.changed('inboxes');
    res.json({ inbox });
  });

  r.delete('/inboxes/:id', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    await db.transaction(async (tx) => {
      const rows = await tx.delete(inboxes).where(eq(inboxes.id, id)).returning();
      if (!rows[0]) throw new AppError('not_found', 'inbox not found');
      await recordAudit(tx, {
        ...auditContext(req),
        action: 'inbox.delete',
        target: `inbox:${id}`,
        details: { before: publicInbox(rows[0]) },
      });
    });
    deps.adminCache.changed('inboxes');
    res.status(204).end();
  });

  r.get('/conversations', async (req, res) => {
    res.json(await listConversations(db, actorOf(req), parse(ZListQuery, req.query)));
  });

  r.get('/conversations/:id', async (req, res) => {
    const found = await getConversation(db, actorOf(req), parse(ZId, req.params).id);
    await recordConversationView(db, auditContext(req), actorOf(req), found.conversation);
    res.json(found);
  });

  r.post('/conversations/:id/messages', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const message = await sendReply(deps, actorOf(req), id, parse(ZReply, req.body));
    res.status(201).json({ message });
  });

  // A reply that ended `failed` (or `undelivered`) goes out again.
  r.post('/messages/:id/retry', async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.status(202).json({ message: await retrySend(deps, actorOf(req), id) });
  });

  r.post('/conversations/:id/resolve', async (req, res) => {
    const { id } = parse(ZId, req.params);
    res.json({ conversation: await resolveConversation(deps, actorOf(req), id, parse(ZResolve, req.body)) });
  });

  r.post('/conversations/:id/transfer', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const target = parse(ZTransferTarget, req.body);
    const c = await transferConversation(deps, actorOf(req), id, target);
    res.json({ conversation: toPublicConversation(c) });
  });

  // Extension: where the transfer dialog may hand it, with who could take it now and why not.
  r.get('/conversations/:id/transfer-targets', async (req, res) => {
    res.json(await listTransferTargets(db, actorOf(req), parse(ZId, req.params).id));
  });

  // Extension: the caller's live offers, so a desk that reloads still shows what is ringing.
  r.get('/reservations', async (req, res) => {
    res.json({ reservations: await listPendingOffers(db, actorOf(req).id) });
  });

  r.post('/reservations/:id/accept', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const c = await acceptReservation(deps, id, actorOf(req).id);
    res.json({ conversation: toPublicConversation(c) });
  });

  r.post('/reservations/:id/reject', async (req, res) => {
    const { id } = parse(ZId, req.params);
    await rejectReservation(deps, id, actorOf(req).id);
    res.json({ ok: true });
  });

  // Queues and their live figures: src/http/routes/queues.ts (routing).
  r.use(queuesRouter(deps));
  // Canned responses and resolution codes: src/http/routes/content.ts.
  r.use(contentRouter(deps));
  // Crisis phrases, settings and open risks: src/http/routes/crisis.ts.
  r.use(crisisRouter(deps));
  // Incidents: declared, linked, resolved: src/http/routes/incidents.ts.
  r.use(incidentsRouter(deps));
  // Statuses, tags, outbound, contacts, search: src/http/routes/requests.ts (service desk).
  r.use(requestsRouter(deps));
  // Erasure of a contact's data: src/http/routes/privacy.ts.
  r.use(privacyRouter(deps));

  return r;
}

function publicInbox(i: typeof inboxes.$inferSelect) {
  return { id: i.id, kind: i.kind, address: i.address, queue: i.queueKey, flow: i.flow, createdAt: i.createdAt.toISOString() };
}

function rethrowFk(err: unknown): never {
  if (pgCodeOf(err) === PG.foreignKeyViolation) throw new AppError('bad_request', 'queue: unknown queue');
  throw err;
}
