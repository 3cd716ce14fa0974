import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agents, conversations, type ConversationRow } from '../../db/schema.js';
import { leavePending } from './pending-time.js';
import { resumeResolutionOf } from './sla.js';

export type Returned = { conversation: ConversationRow; rerouted: boolean };

/**
 * The agent a pending or snoozed conversation goes back to, if they can still take it: they exist
 * and are not deactivated. Otherwise the conversation is routed again.
 */
async function canTakeBack(tx: DbOrTx, agentId: string): Promise<boolean> {
  const [agent] = await tx.select({ active: agents.active }).from(agents).where(eq(agents.id, agentId));
  return agent?.active === true;
}

/**
 * A pending or snoozed conversation comes back (the contact wrote, the snooze ended, the agent
 * took it back): `assigned` to the same agent, or `waiting` in its queue when that agent is gone.
 * The status is checked in the UPDATE, so two callers at once (a message and the timer) change it
 * once; null when it was not pending or snoozed any more. Call inside the caller's transaction;
 * after commit, publish the change and (if rerouted) run the router.
 */
export async function returnToAssignee(tx: DbOrTx, c: ConversationRow): Promise<Returned | null> {
  const keep = c.assigneeId ? await canTakeBack(tx, c.assigneeId) : false;
  // Pending time does not count against resolution (computed from the row read, before the UPDATE clears pending_since).
  const resume = c.status === 'pending' ? await resumeResolutionOf(tx, c) : {};
  const [row] = await tx
    .update(conversations)
    .set({
      status: keep ? 'assigned' : 'waiting',
      assigneeId: keep ? c.assigneeId : null,
      snoozedUntil: null,
      ...leavePending(),
      ...resume,
      ...(keep ? {} : { queuedAt: sql`now()` }),
    })
    .where(and(eq(conversations.id, c.id), inArray(conversations.status, ['pending', 'snoozed'])))
    .returning();
  return row ? { conversation: row, rerouted: !keep } : null;
}
