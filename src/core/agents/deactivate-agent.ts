import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { agents, conversations, type ConversationRow } from '../../db/schema.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { notFound } from '../errors.js';
import { rooms, type Deps } from '../ports.js';
import { publishConversationChange } from '../conversations/publish.js';
import { leavePending } from '../requests/pending-time.js';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { retriedTransaction } from '../../db/retry.js';
import { announceWithdrawn, cancelPendingOffersInTx } from '../routing/reservations.js';
import { publicAgent, type PublicAgent } from './manage-agents.js';
import { bumpTokenVersion, disconnectAgent } from './revoke-tokens.js';
import { publishPresence } from './set-presence.js';

/**
 * Deactivates an agent (`PATCH /api/agents/:id {active: false}`), or restores one.
 *
 * Deactivation, in one transaction under the router's lock (so no offer slips in): the flag,
 * a token-version bump (every token refused at once, the refresh cookie too), presence
 * `offline`, live offers withdrawn, its open conversations handed back to their queues, an
 * audit entry with before/after. After commit: sockets closed on every web process, withdrawn
 * offers and returned conversations announced and routed again.
 */
export async function setAgentActive(deps: Deps, agentId: string, active: boolean, audit: AuditContext): Promise<PublicAgent> {
  const { changed, released, returned } = await retriedTransaction(deps, 'agent (de)activation', async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    const [current] = await tx.select().from(agents).where(eq(agents.id, agentId)).for('update');
    if (!current) throw notFound('agent');
    if (current.active === active) return { changed: false, released: [], returned: [] };
    const before = await publicAgent(tx, agentId);
    await tx
      .update(agents)
      .set(active ? { active } : { active, presence: 'offline', presenceChangedAt: sql`now()` })
      .where(eq(agents.id, agentId));
    const released = active ? [] : await cancelPendingOffersInTx(tx, agentId, 'agent deactivated');
    const returned = active ? [] : await returnConversationsInTx(tx, agentId);
    if (!active) await bumpTokenVersion(tx, agentId);
    await recordAudit(tx, {
      ...audit,
      action: active ? 'agent.reactivate' : 'agent.deactivate',
      target: `agent:${agentId}`,
      details: { before, after: await publicAgent(tx, agentId), ...(returned.length ? { conversationsReturned: returned.length } : {}) },
    });
    return { changed: true, released, returned };
  });
  if (changed && !active) {
    disconnectAgent(deps, agentId);
    publishPresence(deps, agentId, 'offline', 'deactivated');
    await announceWithdrawn(deps, released, 'agent deactivated');
    for (const c of returned) publishConversationChange(deps, c, [rooms.agent(agentId)]);
    if (returned.length) await deps.jobs.dispatch('agent deactivated');
    await deps.jobs.queueStats();
  }
  return publicAgent(deps.db, agentId);
}

/**
 * The agent's open text conversations (assigned, pending or snoozed) wait in their queues again,
 * keeping their place by arrival, as a transfer to the same queue would. A live call is left to
 * its call legs: its status follows the call, not the desk.
 */
async function returnConversationsInTx(tx: Tx, agentId: string): Promise<ConversationRow[]> {
  return tx
    .update(conversations)
    .set({ status: 'waiting', assigneeId: null, snoozedUntil: null, ...leavePending() })
    .where(
      and(
        eq(conversations.assigneeId, agentId),
        inArray(conversations.status, ['assigned', 'pending', 'snoozed']),
        ne(conversations.channel, 'voice'),
      ),
    )
    .returning();
}
