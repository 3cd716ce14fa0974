import { eq, sql } from 'drizzle-orm';
import { retriedTransaction } from '../../db/retry.js';
import { conversations } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { checkDisposition } from '../content/dispositions.js';
import { queueSurveyInTx } from '../csat/send-survey.js';
import { AppError, forbidden } from '../errors.js';
import { leavePending } from '../requests/pending-time.js';
import { cancelOfferInTx, lockLiveOffers, publishCanceled } from '../routing/reservations.js';
import { toPublicConversation, type Deps } from '../ports.js';
import { loadVisibleConversation } from './load.js';
import { publishConversationChange } from './publish.js';
import { dispatchSystemMessage } from './send-system-message.js';

/**
 * Closes a conversation and frees the agent's capacity; a later message opens a new one.
 * Its contact is asked for a satisfaction score when the queue wants it (core/csat).
 */
export async function resolveConversation(deps: Deps, actor: Actor, id: string, input: { disposition?: string; note?: string } = {}) {
  const { conversation, canceled, label, survey } = await retriedTransaction(deps, 'resolve', async (tx) => {
    // The accept's lock order: the live offer, then the conversation (reservations.ts).
    await lockLiveOffers(tx, [id]);
    const c = await loadVisibleConversation(tx, actor, id, { forUpdate: true });
    if (c.status === 'resolved') throw new AppError('conflict', 'conversation is already resolved');
    if (c.assigneeId !== actor.id && !isSupervisor(actor)) {
      throw forbidden('only the assigned agent (or a supervisor) can resolve it');
    }
    // Someone at risk is never closed in silence: whoever closes it says what was done.
    if (c.risk && !input.note?.trim()) {
      throw new AppError('bad_request', 'note: a note is required to resolve a risk-flagged conversation', { field: 'note' });
    }
    const label = input.disposition ? await checkDisposition(tx, input.disposition, c.queueKey) : null;
    const canceled = await cancelOfferInTx(tx, id, 'resolved');
    const [updated] = await tx
      .update(conversations)
      .set({
        status: 'resolved',
        resolvedAt: sql`now()`,
        disposition: input.disposition ?? null,
        wrapUpNote: input.note ?? null,
        snoozedUntil: null,
        ...leavePending(),
      })
      .where(eq(conversations.id, id))
      .returning();
    const survey = await queueSurveyInTx(tx, updated);
    return { conversation: updated, canceled, label, survey };
  });
  publishCanceled(deps, canceled, 'resolved');
  publishConversationChange(deps, conversation, [], { dispositionLabel: label });
  const sender = deps.channels[conversation.channel];
  if (sender?.onResolved) {
    await sender.onResolved(conversation).catch((err) => deps.log.warn({ err, conversationId: id }, 'resolution notice failed'));
  }
  // After the resolution notice, so a Slack thread reads "resolved", then the question.
  if (survey) await dispatchSystemMessage(deps, conversation, survey);
  await deps.jobs.dispatch('capacity freed');
  return { ...toPublicConversation(conversation), dispositionLabel: label };
}
