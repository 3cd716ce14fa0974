import { responded } from '../requests/sla.js';
import { eq } from 'drizzle-orm';
import { conversationAddress } from '../../db/queries/contacts.js';
import { conversations, messages } from '../../db/schema.js';
import { isSupervisor, type Actor } from '../agents/actor.js';
import { AppError, forbidden } from '../errors.js';
import { toPublicMessage, type Deps } from '../ports.js';
import { loadVisibleConversation } from './load.js';
import { publishMessage } from './publish.js';
import { SMS_MAX_CHARS, smsSize } from './sms-size.js';

/**
 * An agent's reply (sent on the conversation's own channel) or internal note
 * (sent nowhere). The message is stored `pending` in the same transaction
 * that checks the rules; the send job delivers it, exactly once.
 */
export async function sendReply(deps: Deps, actor: Actor, conversationId: string, input: { body: string; internal?: boolean }) {
  const internal = input.internal ?? false;
  const { conversation, message } = await deps.db.transaction(async (tx) => {
    const conversation = await loadVisibleConversation(tx, actor, conversationId, { forUpdate: true });
    if (!internal) {
      if (conversation.assigneeId !== actor.id && !isSupervisor(actor)) {
        throw forbidden('only the assigned agent (or a supervisor) can reply; add an internal note instead');
      }
      if (conversation.status === 'resolved' || conversation.status === 'abandoned') {
        throw new AppError('conflict', `conversation is ${conversation.status}`);
      }
      if (conversation.channel === 'voice') {
        throw new AppError('bad_request', 'a call cannot carry a text reply; add an internal note');
      }
      if (conversation.channel === 'sms') checkSmsLength(input.body);
      if (!deps.channels[conversation.channel]) {
        throw new AppError('unavailable', `the ${conversation.channel} channel is not configured`);
      }
      const identity = await conversationAddress(tx, conversation);
      if (!identity) throw new AppError('conflict', `the contact has no ${conversation.channel} address`);
      if (identity.optedOutAt && conversation.channel === 'sms') {
        throw new AppError('opted_out', 'this number texted STOP: no SMS may be sent until it texts START');
      }
    }
    const [message] = await tx
      .insert(messages)
      .values({
        conversationId,
        channel: conversation.channel,
        direction: 'outbound',
        body: input.body,
        internal,
        authorAgentId: actor.id,
        status: internal ? 'note' : 'pending',
      })
      .returning();
    const patch: Partial<typeof conversations.$inferInsert> = { lastMessageAt: new Date() };
    if (!internal && !conversation.firstReplyAt) patch.firstReplyAt = new Date();
    // Answering the contact meets the first- and next-response targets (src/core/requests/sla.ts).
    if (!internal) Object.assign(patch, responded());
    await tx.update(conversations).set(patch).where(eq(conversations.id, conversationId));
    return { conversation, message: message };
  });
  publishMessage(deps, conversation, message);
  if (!internal) await deps.jobs.sendMessage(message.id);
  return toPublicMessage(message);
}

/** Twilio would refuse it after we stored it as sent-to-be: refuse it here, with the numbers. */
function checkSmsLength(body: string) {
  const { characters, tooLong } = smsSize(body);
  if (tooLong)
    throw new AppError('bad_request', `body: an SMS can be at most ${SMS_MAX_CHARS} characters; this one has ${characters}`, {
      field: 'body',
    });
}
