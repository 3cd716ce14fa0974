import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { PG, pgCodeOf } from '../../db/errors.js';
import { agentQueues, agents, DEFAULT_CAPACITY, queues, type AgentRow, type Capacity } from '../../db/schema.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { hashPassword } from '../auth/passwords.js';
import { AppError, notFound } from '../errors.js';
import { bumpTokenVersion } from './revoke-tokens.js';

import { ZCreateAgent, type ZQueueMembership, ZUpdateAgent, type CreateAgent, type UpdateAgent } from './agent-schema.js';

export { ZCapacity, ZCreateAgent, ZQueueMembership, ZUpdateAgent, type CreateAgent, type UpdateAgent } from './agent-schema.js';

export type PublicAgent = {
  id: string;
  email: string;
  name: string;
  role: AgentRow['role'];
  presence: AgentRow['presence'];
  capacity: Capacity;
  queues: { queue: string; level: number }[];
  active: boolean;
  mfaEnabled: boolean;
  language: AgentRow['language'];
  mustChangePassword: boolean;
  createdAt: string;
};

const normaliseQueues = (list: z.output<typeof ZQueueMembership>[]) =>
  list.map((q) => (typeof q === 'string' ? { queue: q, level: 3 } : q));

/** `audit` is the admin's request (absent for the bootstrap admin). */
export async function createAgent(db: DbOrTx, input: CreateAgent, audit?: AuditContext & { via?: 'oidc' }): Promise<PublicAgent> {
  const data = ZCreateAgent.parse(input);
  // No password: a random one nobody knows, until the agent sets theirs through an invitation link.
  const passwordHash = await hashPassword(data.password ?? randomBytes(24).toString('base64url'));
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(agents)
      .values({
        email: data.email.toLowerCase(),
        name: data.name,
        passwordHash,
        role: data.role,
        capacity: { ...DEFAULT_CAPACITY, ...data.capacity },
        language: data.language,
        mustChangePassword: data.mustChangePassword,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new AppError('conflict', `an agent with email ${data.email} exists`);
    await setQueues(tx, row.id, normaliseQueues(data.queues));
    const after = await publicAgent(tx, row.id);
    if (audit) {
      const { via, ...ctx } = audit;
      await recordAudit(tx, { ...ctx, action: 'agent.create', target: `agent:${row.id}`, details: { after, ...(via ? { via } : {}) } });
    }
    return after;
  });
}

/**
 * Changes an agent's profile, role, queues, capacity or password (the `active` flag goes
 * through deactivate-agent.ts). A new password revokes the agent's tokens: the HTTP layer
 * then disconnects its sockets.
 */
export async function updateAgent(db: DbOrTx, id: string, input: Omit<UpdateAgent, 'active'>, audit?: AuditContext): Promise<PublicAgent> {
  const { active: _ignored, ...data } = ZUpdateAgent.parse(input);
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(agents).where(eq(agents.id, id)).for('update');
    if (!current) throw notFound('agent');
    const before = await publicAgent(tx, id);
    const patch: Partial<typeof agents.$inferInsert> = {};
    if (data.email) patch.email = data.email.toLowerCase();
    if (data.name) patch.name = data.name;
    if (data.role) patch.role = data.role;
    if (data.password) patch.passwordHash = await hashPassword(data.password);
    if (data.capacity) patch.capacity = { ...current.capacity, ...data.capacity };
    if (data.language) patch.language = data.language;
    if (data.mustChangePassword !== undefined) patch.mustChangePassword = data.mustChangePassword;
    if (Object.keys(patch).length > 0) {
      try {
        await tx.update(agents).set(patch).where(eq(agents.id, id));
      } catch (err) {
        if (pgCodeOf(err) === PG.uniqueViolation) throw new AppError('conflict', 'that email is taken');
        throw err;
      }
    }
    if (data.queues) await setQueues(tx, id, normaliseQueues(data.queues));
    if (data.password) await bumpTokenVersion(tx, id);
    const after = await publicAgent(tx, id);
    if (audit) {
      await recordAudit(tx, {
        ...audit,
        action: 'agent.update',
        target: `agent:${id}`,
        details: { before, after, ...(data.password ? { passwordChanged: true } : {}) },
      });
    }
    return after;
  });
}

async function setQueues(tx: DbOrTx, agentId: string, list: { queue: string; level: number }[]) {
  const known = new Set((await tx.select({ key: queues.key }).from(queues)).map((q) => q.key));
  const unknown = list.filter((q) => !known.has(q.queue)).map((q) => q.queue);
  if (unknown.length) throw new AppError('bad_request', `unknown queue: ${unknown.join(', ')}`);
  await tx.delete(agentQueues).where(eq(agentQueues.agentId, agentId));
  if (list.length) await tx.insert(agentQueues).values(list.map((q) => ({ agentId, queueKey: q.queue, level: q.level })));
}

export async function publicAgent(db: DbOrTx, id: string): Promise<PublicAgent> {
  const [a] = await db.select().from(agents).where(eq(agents.id, id));
  if (!a) throw notFound('agent');
  const memberships = await db.select().from(agentQueues).where(eq(agentQueues.agentId, id));
  return {
    id: a.id,
    email: a.email,
    name: a.name,
    role: a.role,
    presence: a.presence,
    capacity: a.capacity,
    queues: memberships.map((m) => ({ queue: m.queueKey, level: m.level })).sort((x, y) => x.queue.localeCompare(y.queue)),
    active: a.active,
    mfaEnabled: a.mfaEnabledAt !== null,
    language: a.language,
    mustChangePassword: a.mustChangePassword,
    createdAt: a.createdAt.toISOString(),
  };
}

export async function listAgents(db: DbOrTx): Promise<PublicAgent[]> {
  const rows = await db.select({ id: agents.id }).from(agents).orderBy(agents.name);
  return Promise.all(rows.map((r) => publicAgent(db, r.id)));
}
