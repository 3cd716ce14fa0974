import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { conversationAddress } from '../../db/queries/contacts.js';
import { conversations, messages, type ConversationRow, type MessageRow } from '../../db/schema.js';
import type { Deps } from '../ports.js';
import { publishMessage } from './publish.js';

/** Why Switchboard wrote to the contact by itself; kept in the message's metadata as `system`. */
export type SystemMessageKind = 'auto-reply' | 'crisis-resources' | 'csat' | 'incident' | 'notice';

export type SystemMessageInput = { body: string; kind: SystemMessageKind; metadata?: Record<string, unknown> };

/**
 * Stores an automatic outbound message (auto-reply, crisis resources, CSAT question, incident
 * notice) as `pending`, inside the caller's transaction, so it exists exactly when the change
 * that caused it does. Returns null when it cannot be sent: a call (no text channel), no address
 * on this channel, or an SMS number that opted out (checked again at send time).
 * After commit, hand the row to `dispatchSystemMessage`; if that is lost, the reconciler sends it.
 */
export async function queueSystemMessage(tx: DbOrTx, conversation: ConversationRow, input: SystemMessageInput): Promise<MessageRow | null> {
  if (conversation.channel === 'voice') return null;
  const identity = await conversationAddress(tx, conversation);
  if (!identity || (identity.optedOutAt && conversation.channel === 'sms')) return null;
  const [message] = await tx
    .insert(messages)
    .values({
      conversationId: conversation.id,
      channel: conversation.channel,
      direction: 'outbound',
      body: input.body,
      status: 'pending',
      metadata: { ...input.metadata, system: input.kind },
    })
    .returning();
  await tx.update(conversations).set({ lastMessageAt: new Date() }).where(eq(conversations.id, conversation.id));
  return message;
}

/** After commit: shows the message to agents and schedules its delivery. */
export async function dispatchSystemMessage(deps: Deps, conversation: ConversationRow, message: MessageRow): Promise<void> {
  publishMessage(deps, conversation, message);
  await deps.jobs.sendMessage(message.id);
}

/** `queueSystemMessage` in its own transaction, then `dispatchSystemMessage`. */
export async function sendSystemMessage(deps: Deps, conversation: ConversationRow, input: SystemMessageInput): Promise<MessageRow | null> {
  const message = await deps.db.transaction((tx) => queueSystemMessage(tx, conversation, input));
  if (message) await dispatchSystemMessage(deps, conversation, message);
  return message;
}
