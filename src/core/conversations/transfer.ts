import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { agents, conversations, messages } from '../../db/schema.js';
import { getQueue } from '../../db/queries/queues.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { ROUTER_LOCK } from '../../db/advisory-locks.js';
import { retriedTransaction } from '../../db/retry.js';
import { leavePending } from '../requests/pending-time.js';
import { announceOffers, createOffer, loadRoutableAgents } from '../routing/dispatch.js';
import { cancelOfferInTx, lockLiveOffers, publishCanceled } from '../routing/reservations.js';
import { rooms, type Deps } from '../ports.js';
import { loadVisibleConversation } from './load.js';
import { publishConversationChange, publishMessage } from './publish.js';
import { whyAgentCannotTake } from './transfer-targets.js';

const note = z.string().max(1000, 'note: at most 1000 characters').optional();
/** Where to: a queue key or an agent id, with an optional note for the receiver (API and voice API). */
export const ZTransferTarget = z.union([
  z.object({ queue: z.string().min(1), note }).strict(),
  z.object({ agentId: z.string().uuid(), note }).strict(),
]);
export type TransferTarget = z.infer<typeof ZTransferTarget>;

/**
 * Hands a conversation to another queue (it waits and is routed again, keeping
 * its place by original arrival, passing the sender by) or offers it to one
 * named agent. Any queue will do, served by the sender or not. The sender and
 * their note travel with it to the receiver's offer, and the timeline records it.
 */
export async function transferConversation(deps: Deps, actor: Actor, id: string, target: TransferTarget) {
  const note = target.note?.trim() || null;
  const result = await retriedTransaction(deps, 'transfer', async (tx) => {
    // Same lock as the router: a targeted offer must respect capacity like any other.
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUTER_LOCK})`);
    // The accept's lock order: the live offer, then the conversation (reservations.ts).
    await lockLiveOffers(tx, [id]);
    const c = await loadVisibleConversation(tx, actor, id, { forUpdate: true });
    if (c.status === 'resolved' || c.status === 'abandoned') throw new AppError('conflict', `This conversation is ${c.status}.`);
    if (c.assigneeId && c.assigneeId !== actor.id && !isSupervisor(actor)) {
      throw forbidden('Only the assigned agent (or a supervisor) can transfer it.');
    }
    const canceled = await cancelOfferInTx(tx, id, 'transferred');
    const previousAssignee = c.assigneeId;
    let queueKey = c.queueKey;
    let toName: string;
    if ('queue' in target) {
      const q = await getQueue(tx, target.queue);
      if (!q) throw notFound(`queue ${target.queue}`);
      queueKey = q.key;
      toName = `the ${q.name} queue`;
    } else {
      const [agent] = await tx
        .select()
        .from(agents)
        .where(and(eq(agents.id, target.agentId), eq(agents.active, true)));
      if (!agent) throw notFound('agent');
      const reason = whyAgentCannotTake(
        agent,
        (await loadRoutableAgents(tx)).find((a) => a.id === agent.id),
        c.channel,
      );
      if (reason) throw new AppError('at_capacity', `${agent.name} cannot take it now: ${reason.toLowerCase()}.`);
      toName = agent.name;
    }
    const [waiting] = await tx
      .update(conversations)
      .set({
        status: 'waiting',
        assigneeId: null,
        queueKey,
        snoozedUntil: null,
        transferCount: sql`${conversations.transferCount} + 1`,
        transferredBy: actor.id,
        transferNote: note,
        ...leavePending(),
      })
      .where(eq(conversations.id, id))
      .returning();
    const offer = 'agentId' in target ? await createOffer(tx, deps, waiting, target.agentId, new Date()) : null;
    // The timeline's record of the hand-over: an internal note, so contacts never see it.
    const [record] = await tx
      .insert(messages)
      .values({
        conversationId: id,
        channel: c.channel,
        direction: 'outbound',
        body: note ? `Transferred to ${toName}: ${note}` : `Transferred to ${toName}`,
        internal: true,
        authorAgentId: actor.id,
        status: 'note',
        metadata: { event: 'transfer', ...('queue' in target ? { queue: queueKey } : { agentId: target.agentId }), note },
      })
      .returning();
    const [final] = await tx.select().from(conversations).where(eq(conversations.id, id));
    return { conversation: final, canceled, previousAssignee, offer, record };
  });
  publishCanceled(deps, result.canceled, 'transferred');
  const also = result.previousAssignee ? [rooms.agent(result.previousAssignee)] : [];
  publishConversationChange(deps, result.conversation, also);
  publishMessage(deps, result.conversation, result.record);
  if (result.offer) await announceOffers(deps, [result.offer]);
  else await deps.jobs.dispatch('transferred');
  return result.conversation;
}
