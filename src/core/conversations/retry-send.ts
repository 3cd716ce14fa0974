import { and, eq, inArray } from 'drizzle-orm';
import { messages } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { AppError, forbidden, notFound } from '../errors.js';
import { toPublicMessage, type Deps, type PublicMessage } from '../ports.js';
import { loadVisibleConversation } from './load.js';
import { publishMessageUpdate } from './publish.js';

/** Statuses a reply may be sent again from: our own failure, or the carrier's. */
const RETRYABLE = ['failed', 'undelivered'];

/**
 * `POST /api/messages/:id/retry`: a reply that ended `failed` goes back to
 * `pending` and gets a fresh send job. Same rules as replying (the assignee
 * or a supervisor, conversation still open); the opt-out check runs again at
 * send time.
 */
export async function retrySend(deps: Deps, actor: Actor, messageId: string): Promise<PublicMessage> {
  const { conversation, message } = await deps.db.transaction(async (tx) => {
    const [found] = await tx.select().from(messages).where(eq(messages.id, messageId));
    if (!found) throw notFound('message');
    const conversation = await loadVisibleConversation(tx, actor, found.conversationId, { forUpdate: true });
    if (conversation.assigneeId !== actor.id && !isSupervisor(actor))
      throw forbidden('only the assigned agent (or a supervisor) can resend');
    if (found.direction !== 'outbound' || found.internal)
      throw new AppError('bad_request', 'only a reply to the contact can be sent again');
    if (conversation.status === 'resolved' || conversation.status === 'abandoned') {
      throw new AppError('conflict', `conversation is ${conversation.status}`);
    }
    const [message] = await tx
      .update(messages)
      .set({ status: 'pending', error: null, sendingAt: null })
      .where(and(eq(messages.id, messageId), inArray(messages.status, RETRYABLE)))
      .returning();
    if (!message) throw new AppError('conflict', `the message is ${found.status}, not failed`);
    return { conversation, message };
  });
  publishMessageUpdate(deps, conversation, message);
  await deps.jobs.sendMessage(message.id, { fresh: true });
  return toPublicMessage(message);
}
