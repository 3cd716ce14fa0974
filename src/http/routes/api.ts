import { Router } from 'express';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import {
  checkCredentials,
  createAgent,
  listAgents,
  publicAgent,
  updateAgent,
  ZCreateAgent,
  ZUpdateAgent,
} from '../../core/agents/manage-agents.js';
import { SETTABLE_PRESENCES, setPresence } from '../../core/agents/set-presence.js';
import { issueToken, loadActor, TOKEN_TTL_SECONDS } from '../../core/agents/tokens.js';
import { getConversation, listConversations, ZListQuery } from '../../core/conversations/list.js';
import { resolveConversation } from '../../core/conversations/resolve.js';
import { retrySend } from '../../core/conversations/retry-send.js';
import { sendReply } from '../../core/conversations/send-reply.js';
import { transferConversation } from '../../core/conversations/transfer.js';
import { AppError } from '../../core/errors.js';
import { E164, E164_HINT } from '../../core/patterns.js';
import { toPublicConversation, type Deps } from '../../core/ports.js';
import { acceptReservation, listPendingOffers, rejectReservation } from '../../core/routing/reservations.js';
import { queuesRouter } from './queues.js';
import { roomsFor } from '../../realtime/server.js';
import { PG, pgCodeOf } from '../../db/errors.js';
import { IDENTITY_KINDS, inboxes } from '../../db/schema.js';
import { actorOf, parse, requireAuth, requireRoles, requireSupervisor } from '../middleware.js';
import { reportsRouter } from './reports.js';
import { requestsRouter } from './requests.js';

const ZId = z.object({ id: z.string().uuid('id must be a UUID') });
const ZLogin = z.object({ email: z.string().min(1), password: z.string().min(1) });
const ZStatus = z.object({ status: z.enum(SETTABLE_PRESENCES) });
const ZReply = z.object({ body: z.string().trim().min(1, 'body must not be empty').max(20_000), internal: z.boolean().optional() });
const ZResolve = z.object({ disposition: z.string().max(100).optional(), note: z.string().max(5000).optional() });
const ZTransfer = z.union([z.object({ queue: z.string().min(1) }).strict(), z.object({ agentId: z.string().uuid() }).strict()]);
const ZInbox = z
  .object({
    kind: z.enum(IDENTITY_KINDS),
    address: z.string().min(1),
    queue: z.string().min(1),
    flow: z
      .string()
      .regex(/^[a-z0-9_-]+$/i)
      .nullish(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'phone' && !E164.test(v.address)) ctx.addIssue({ code: 'custom', path: ['address'], message: E164_HINT });
    if (v.kind === 'email' && !z.email().safeParse(v.address).success)
      ctx.addIssue({ code: 'custom', path: ['address'], message: 'must be an email address' });
  });

/** The agent API (contract: "Agent API"). Every route but login needs a bearer token. */
export function apiRouter(deps: Deps): Router {
  const r = Router();
  const { db } = deps;

  r.post('/auth/login', async (req, res) => {
    const { email, password } = parse(ZLogin, req.body);
    const agent = await checkCredentials(db, email, password);
    if (!agent) throw new AppError('unauthorized', 'wrong email or password');
    res.json({
      token: await issueToken(deps.config.jwtSecret, agent.id),
      expiresIn: TOKEN_TTL_SECONDS,
      agent: await publicAgent(db, agent.id),
    });
  });

  r.use(requireAuth(deps));
  r.use(reportsRouter(deps));

  r.post('/auth/refresh', async (req, res) => {
    res.json({ token: await issueToken(deps.config.jwtSecret, actorOf(req).id), expiresIn: TOKEN_TTL_SECONDS });
  });

  r.get('/me', async (req, res) => {
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
    const agent = await createAgent(db, parse(ZCreateAgent, req.body));
    res.status(201).json({ agent });
  });

  r.patch('/agents/:id', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    const before = await loadActor(db, id).catch(() => null);
    const agent = await updateAgent(db, id, parse(ZUpdateAgent, req.body));
    if (before) {
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

  // Supervisors set an agent's presence from the wallboard.
  r.put('/agents/:id/status', requireSupervisor, async (req, res) => {
    const { id } = parse(ZId, req.params);
    const { status } = parse(ZStatus, req.body);
    await setPresence(deps, id, status, `set by ${actorOf(req).id}`);
    res.json({ agent: await publicAgent(db, id) });
  });

  r.get('/inboxes', requireRoles('admin'), async (_req, res) => {
    res.json({ inboxes: (await db.select().from(inboxes).orderBy(inboxes.kind, inboxes.address)).map(publicInbox) });
  });

  r.post('/inboxes', requireRoles('admin'), async (req, res) => {
    const v = parse(ZInbox, req.body);
    const rows = await db
      .insert(inboxes)
      .values({ kind: v.kind, address: v.kind === 'email' ? v.address.toLowerCase() : v.address, queueKey: v.queue, flow: v.flow ?? null })
      .onConflictDoNothing()
      .returning()
      .catch(rethrowFk);
    if (!rows[0]) throw new AppError('conflict', `an inbox for ${v.kind} ${v.address} exists`);
    res.status(201).json({ inbox: publicInbox(rows[0]) });
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
    // An empty PATCH changes nothing: answer with the inbox as it is (drizzle refuses an empty SET).
    const [row] =
      Object.keys(patch).length === 0
        ? await db.select().from(inboxes).where(eq(inboxes.id, id))
        : await db.update(inboxes).set(patch).where(eq(inboxes.id, id)).returning().catch(rethrowFk);
    if (!row) throw new AppError('not_found', 'inbox not found');
    res.json({ inbox: publicInbox(row) });
  });

  r.delete('/inboxes/:id', requireRoles('admin'), async (req, res) => {
    const { id } = parse(ZId, req.params);
    const rows = await db.delete(inboxes).where(eq(inboxes.id, id)).returning();
    if (!rows[0]) throw new AppError('not_found', 'inbox not found');
    res.status(204).end();
  });

  r.get('/conversations', async (req, res) => {
    res.json(await listConversations(db, actorOf(req), parse(ZListQuery, req.query)));
  });

  r.get('/conversations/:id', async (req, res) => {
    res.json(await getConversation(db, actorOf(req), parse(ZId, req.params).id));
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
    const c = await resolveConversation(deps, actorOf(req), id, parse(ZResolve, req.body));
    res.json({ conversation: toPublicConversation(c) });
  });

  r.post('/conversations/:id/transfer', async (req, res) => {
    const { id } = parse(ZId, req.params);
    const target = parse(ZTransfer, req.body);
    const c = await transferConversation(deps, actorOf(req), id, target);
    res.json({ conversation: toPublicConversation(c) });
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
  // Statuses, tags, outbound, contacts, search: src/http/routes/requests.ts (service desk).
  r.use(requestsRouter(deps));

  return r;
}

function publicInbox(i: typeof inboxes.$inferSelect) {
  return { id: i.id, kind: i.kind, address: i.address, queue: i.queueKey, flow: i.flow, createdAt: i.createdAt.toISOString() };
}

function rethrowFk(err: unknown): never {
  if (pgCodeOf(err) === PG.foreignKeyViolation) throw new AppError('bad_request', 'queue: unknown queue');
  throw err;
}
