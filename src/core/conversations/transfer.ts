import { eq, sql } from 'drizzle-orm';
import { agents, conversations } from '../../db/schema.js';
import { getQueue } from '../../db/queries/queues.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { leavePending } from '../requests/pending-time.js';
import { announceOffers, createOffer, loadRoutableAgents, type Offer } from '../routing/dispatch.js';
import { cancelOfferInTx, publishCanceled } from '../routing/reservations.js';
import { rooms, type Deps } from '../ports.js';
import { loadVisibleConversation } from './load.js';
import { publishConversationChange } from './publish.js';

export type TransferTarget = { queue: string } | { agentId: string };

/**
 * Hands a conversation to another queue (it waits and is routed again, keeping
 * its place by original arrival) or offers it to one named agent.
 */
export async function transferConversation(deps: Deps, actor: Actor, id: string, target: TransferTarget) {
  const result = await deps.db.transaction(async (tx) => {
    // Same lock as the router: a targeted offer must respect capacity like any other.
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    const c = await loadVisibleConversation(tx, actor, id, { forUpdate: true });
    if (c.status === 'resolved' || c.status === 'abandoned') throw new AppError('conflict', `conversation is ${c.status}`);
    if (c.assigneeId && c.assigneeId !== actor.id && !isSupervisor(actor)) {
      throw forbidden('only the assigned agent (or a supervisor) can transfer it');
    }
    const canceled = await cancelOfferInTx(tx, id, 'transferred');
    const previousAssignee = c.assigneeId;
    let queueKey = c.queueKey;
    if ('queue' in target) {
      const q = await getQueue(tx, target.queue);
      if (!q) throw notFound(`queue ${target.queue}`);
      queueKey = q.key;
    }
    const [waiting] = await tx
      .update(conversations)
      .set({
        status: 'waiting',
        assigneeId: null,
        queueKey,
        snoozedUntil: null,
        transferCount: sql`${conversations.transferCount} + 1`,
        ...leavePending(),
      })
      .where(eq(conversations.id, id))
      .returning();
    let offer: Offer | null = null;
    if ('agentId' in target) {
      const [agent] = await tx.select().from(agents).where(eq(agents.id, target.agentId));
      if (!agent) throw notFound('agent');
      const routable = (await loadRoutableAgents(tx)).find((a) => a.id === agent.id);
      if (!routable || routable.free[c.channel] <= 0) {
        throw new AppError('at_capacity', `${agent.name} is not available for ${c.channel} right now`);
      }
      offer = await createOffer(tx, deps, waiting, agent.id, new Date());
    }
    const [final] = await tx.select().from(conversations).where(eq(conversations.id, id));
    return { conversation: final, canceled, previousAssignee, offer };
  });
  publishCanceled(deps, result.canceled, 'transferred');
  const also = result.previousAssignee ? [rooms.agent(result.previousAssignee)] : [];
  publishConversationChange(deps, result.conversation, also);
  if (result.offer) await announceOffers(deps, [result.offer]);
  else await deps.jobs.dispatch('transferred');
  return result.conversation;
}
