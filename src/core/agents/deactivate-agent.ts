import { eq, sql } from 'drizzle-orm';
import { agents } from '../../db/schema.js';
import { recordAudit, type AuditContext } from '../audit/record-audit.js';
import { notFound } from '../errors.js';
import type { Deps } from '../ports.js';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { announceWithdrawn, cancelPendingOffersInTx } from '../routing/reservations.js';
import { publicAgent, type PublicAgent } from './manage-agents.js';
import { bumpTokenVersion, disconnectAgent } from './revoke-tokens.js';
import { publishPresence } from './set-presence.js';

/**
 * Deactivates an agent (`PATCH /api/agents/:id {active: false}`), or restores one.
 *
 * Deactivation, in one transaction under the router's lock (so no offer slips in): the flag,
 * a token-version bump (every token refused at once, the refresh cookie too), presence
 * `offline`, live offers withdrawn, an audit entry with before/after. After commit: sockets
 * closed on every web process, withdrawn offers announced and routed again.
 *
 * The place to extend deactivation (e.g. handing the agent's open conversations back to
 * their queues): add it to the transaction below, and its announcements after it.
 */
export async function setAgentActive(deps: Deps, agentId: string, active: boolean, audit: AuditContext): Promise<PublicAgent> {
  const { changed, released } = await deps.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    const [current] = await tx.select().from(agents).where(eq(agents.id, agentId)).for('update');
    if (!current) throw notFound('agent');
    if (current.active === active) return { changed: false, released: [] };
    const before = await publicAgent(tx, agentId);
    await tx
      .update(agents)
      .set(active ? { active } : { active, presence: 'offline', presenceChangedAt: sql`now()` })
      .where(eq(agents.id, agentId));
    const released = active ? [] : await cancelPendingOffersInTx(tx, agentId, 'agent deactivated');
    if (!active) await bumpTokenVersion(tx, agentId);
    await recordAudit(tx, {
      ...audit,
      action: active ? 'agent.reactivate' : 'agent.deactivate',
      target: `agent:${agentId}`,
      details: { before, after: await publicAgent(tx, agentId) },
    });
    return { changed: true, released };
  });
  if (changed && !active) {
    disconnectAgent(deps, agentId);
    publishPresence(deps, agentId, 'offline', 'deactivated');
    await announceWithdrawn(deps, released, 'agent deactivated');
    await deps.jobs.queueStats();
  }
  return publicAgent(deps.db, agentId);
}
