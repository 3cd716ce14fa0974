import { and, eq, inArray, sql } from 'drizzle-orm';
import { agents, type Presence } from '../../db/schema.js';
import { conflict, notFound } from '../errors.js';
import { rooms, type Deps } from '../ports.js';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { retriedTransaction } from '../../db/retry.js';
import { announceWithdrawn, cancelPendingOffersInTx } from '../routing/reservations.js';

/** Presences an agent (or a supervisor for them) may choose; busy / wrap-up are the system's. */
export const SETTABLE_PRESENCES = ['available', 'away', 'offline'] as const;

/**
 * Changes presence. Becoming available triggers routing at once; leaving
 * withdraws live offers so contacts do not wait on someone who left. The
 * change and the withdrawal share a transaction under the router's lock, so
 * no offer can be made to the agent in between.
 */
export async function setPresence(deps: Deps, agentId: string, presence: Presence, reason?: string) {
  const leaving = presence === 'away' || presence === 'offline';
  const { row, released } = await retriedTransaction(deps, 'presence change', async (tx) => {
    if (leaving) await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    // Offers (and their conversations) before the agent's row: the accept's lock order (reservations.ts).
    const released = leaving ? await cancelPendingOffersInTx(tx, agentId, 'agent unavailable') : [];
    const [row] = await tx
      .update(agents)
      .set({ presence, presenceChangedAt: sql`now()`, ...(presence === 'available' ? { consecutiveTimeouts: 0 } : {}) })
      // A deactivated agent stays offline whoever asks (a supervisor on the wallboard, an old request).
      .where(and(eq(agents.id, agentId), presence === 'offline' ? undefined : eq(agents.active, true)))
      .returning();
    if (!row) {
      const [exists] = await tx.select({ id: agents.id }).from(agents).where(eq(agents.id, agentId));
      throw exists ? conflict('the agent is deactivated') : notFound('agent');
    }
    return { row, released };
  });
  publishPresence(deps, agentId, presence, reason);
  if (leaving) await announceWithdrawn(deps, released, 'agent unavailable');
  else await deps.jobs.dispatch(`agent ${presence}`);
  await deps.jobs.queueStats();
  return row;
}

export function publishPresence(deps: Deps, agentId: string, presence: Presence, reason?: string) {
  deps.realtime.publish([rooms.agent(agentId), rooms.supervisors], 'agent.presence', { agentId, presence, ...(reason ? { reason } : {}) });
}

/**
 * A call reached the agent (bridged): `busy` — no voice offer, messaging
 * continues within capacity. Any other live voice offer is withdrawn. Only an
 * available (or wrapping-up) agent changes; away/offline stay as they are.
 */
export async function markOnCall(deps: Deps, agentId: string) {
  const { row, released } = await retriedTransaction(deps, 'on a call', async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    const [row] = await tx
      .update(agents)
      .set({ presence: 'busy', presenceChangedAt: sql`now()` })
      .where(and(eq(agents.id, agentId), inArray(agents.presence, ['available', 'wrap-up'])))
      .returning();
    const released = row ? await cancelPendingOffersInTx(tx, agentId, 'agent on a call', 'voice') : [];
    return { row, released };
  });
  if (!row) return null;
  publishPresence(deps, agentId, 'busy', 'on a call');
  await announceWithdrawn(deps, released, 'agent on a call');
  await deps.jobs.queueStats();
  return row;
}

/**
 * The agent's call ended: `wrap-up` for WRAP_UP_SECONDS (messaging continues),
 * then available again by a delayed job — unless the agent chose another
 * presence meanwhile. With no wrap-up time the agent is available at once.
 */
export async function markCallEnded(deps: Deps, agentId: string) {
  const wrapUp = deps.config.routing.wrapUpSeconds;
  const next: Presence = wrapUp > 0 ? 'wrap-up' : 'available';
  const [row] = await deps.db
    .update(agents)
    .set({ presence: next, presenceChangedAt: sql`now()`, ...(next === 'available' ? { consecutiveTimeouts: 0 } : {}) })
    .where(and(eq(agents.id, agentId), eq(agents.presence, 'busy')))
    .returning();
  if (!row) return null;
  publishPresence(deps, agentId, next, next === 'wrap-up' ? `wrap-up for ${wrapUp}s` : 'call ended');
  if (next === 'wrap-up') await deps.jobs.routingTimer(new Date(Date.now() + wrapUp * 1000));
  await deps.jobs.dispatch('call ended');
  await deps.jobs.queueStats();
  return row;
}
