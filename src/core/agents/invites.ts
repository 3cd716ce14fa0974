import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx } from '../../db/client.js';
import { agentInvites, agents } from '../../db/schema.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { hashPassword } from '../auth/passwords.js';
import { AppError, notFound } from '../errors.js';
import type { Deps } from '../ports.js';
import { bumpTokenVersion, disconnectAgent } from './revoke-tokens.js';

/** How long a set-password link works: long enough for a weekend, short enough that a forgotten one dies. */
export const INVITE_TTL_HOURS = 72;

export const ZAcceptInvite = z.object({ password: z.string().min(8, 'password must be at least 8 characters').max(1000) }).strict();

// Only the hash is stored: the token itself exists in the admin's answer and the agent's link.
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export const inviteUrl = (publicUrl: string, token: string) => `${publicUrl}/invite/${token}`;

/**
 * Makes a fresh one-time link for the agent; any earlier unused link of theirs stops working,
 * so only the last link handed over is good.
 */
export async function createInvite(
  db: DbOrTx,
  publicUrl: string,
  agentId: string,
  audit: AuditContext,
  now = new Date(),
): Promise<{ url: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + INVITE_TTL_HOURS * 3600_000);
  await db.transaction(async (tx) => {
    const [agent] = await tx.select({ active: agents.active }).from(agents).where(eq(agents.id, agentId)).for('update');
    if (!agent) throw notFound('agent');
    if (!agent.active) throw new AppError('conflict', 'the agent is deactivated; reactivate it first');
    await tx.delete(agentInvites).where(and(eq(agentInvites.agentId, agentId), isNull(agentInvites.usedAt)));
    await tx.insert(agentInvites).values({ tokenHash: hashOf(token), agentId, createdBy: audit.actorId, expiresAt });
    await recordAudit(tx, {
      ...audit,
      action: 'agent.invite',
      target: `agent:${agentId}`,
      details: { expiresAt: expiresAt.toISOString() },
    });
  });
  return { url: inviteUrl(publicUrl, token), expiresAt: expiresAt.toISOString() };
}

/** Why a link is refused, in words the agent can act on. */
async function usableInvite(db: DbOrTx, token: string, now: Date, lock: boolean) {
  if (!TOKEN_SHAPE.test(token)) throw new AppError('not_found', 'this invitation link is not valid');
  const q = db
    .select({ invite: agentInvites, email: agents.email, name: agents.name, active: agents.active })
    .from(agentInvites)
    .innerJoin(agents, eq(agents.id, agentInvites.agentId))
    .where(eq(agentInvites.tokenHash, hashOf(token)));
  const [row] = lock ? await q.for('update', { of: agentInvites }) : await q;
  if (!row) throw new AppError('not_found', 'this invitation link is not valid (a newer one may have replaced it)');
  if (row.invite.usedAt)
    throw new AppError('conflict', 'this invitation link has already been used; sign in, or ask an admin for a new one');
  if (row.invite.expiresAt <= now) throw new AppError('conflict', 'this invitation link has expired; ask an admin for a new one');
  if (!row.active) throw new AppError('conflict', 'this account is deactivated');
  return row;
}

/** What the set-password page shows before the agent types anything. */
export async function describeInvite(db: DbOrTx, token: string, now = new Date()) {
  const row = await usableInvite(db, token, now, false);
  return { email: row.email, name: row.name, expiresAt: row.invite.expiresAt.toISOString() };
}

/**
 * Sets the agent's password from a link, once: the link is spent, the agent's old tokens are
 * refused (a stale session must not outlive a new password). The desk then signs in as usual,
 * so a second factor, if any, is still asked for.
 */
export async function acceptInvite(
  deps: Pick<Deps, 'db' | 'realtime'>,
  token: string,
  input: z.input<typeof ZAcceptInvite>,
  ctx: { ip?: string | null },
  now = new Date(),
): Promise<{ email: string }> {
  const { password } = ZAcceptInvite.parse(input);
  await usableInvite(deps.db, token, now, false); // refuse bad links before spending an argon2 run on them
  const passwordHash = await hashPassword(password);
  const result = await deps.db.transaction(async (tx) => {
    const row = await usableInvite(tx, token, now, true);
    const agentId = row.invite.agentId;
    await tx.update(agentInvites).set({ usedAt: now }).where(eq(agentInvites.tokenHash, row.invite.tokenHash));
    await tx.update(agents).set({ passwordHash, mustChangePassword: false }).where(eq(agents.id, agentId));
    await bumpTokenVersion(tx, agentId);
    await recordAudit(tx, { actorId: agentId, ip: ctx.ip ?? null, action: 'auth.invite_accepted', target: `agent:${agentId}` });
    return { agentId, email: row.email };
  });
  disconnectAgent(deps, result.agentId);
  return { email: result.email };
}
