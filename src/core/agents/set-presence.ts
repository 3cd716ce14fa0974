import { eq, sql } from 'drizzle-orm';
import { agents, type Presence } from '../../db/schema.js';
import { notFound } from '../errors.js';
import { rooms, type Deps } from '../ports.js';
import { cancelPendingOffersOf } from '../routing/reservations.js';

/** Presences an agent (or a supervisor for them) may choose; busy / wrap-up are the system's. */
export const SETTABLE_PRESENCES = ['available', 'away', 'offline'] as const;

/**
 * Changes presence. Becoming available triggers routing at once; leaving
 * withdraws live offers so contacts do not wait on someone who left.
 */
export async function setPresence(deps: Deps, agentId: string, presence: Presence, reason?: string) {
  const [row] = await deps.db
    .update(agents)
    .set({ presence, presenceChangedAt: sql`now()`, ...(presence === 'available' ? { consecutiveTimeouts: 0 } : {}) })
    .where(eq(agents.id, agentId))
    .returning();
  if (!row) throw notFound('agent');
  deps.realtime.publish([rooms.agent(agentId), rooms.supervisors], 'agent.presence', { agentId, presence, reason });
  if (presence === 'available' || presence === 'busy') await deps.jobs.dispatch('agent available');
  else await cancelPendingOffersOf(deps, agentId, 'agent unavailable');
  await deps.jobs.queueStats();
  return row;
}
