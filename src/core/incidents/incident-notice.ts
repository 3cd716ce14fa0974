import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { contacts, messages, type ConversationRow, type MessageRow } from '../../db/schema.js';
import { queueSystemMessage } from '../conversations/send-system-message.js';
import type { AdminSnapshot } from '../admin-cache.js';
import { textIn } from './open-incidents.js';

/**
 * Auto-replies carry open incidents: a new SMS, email or Slack conversation in a queue an open
 * incident concerns is told its public message at once (in the contact's language). When the
 * queue's own auto-reply was queued in this transaction, the notice goes into that message (one
 * text, not two); otherwise it is a message of its own. A risk-flagged conversation gets the
 * crisis resources instead. The open incidents come from this process' copy (admin-cache.ts). Returns the messages to send after commit, in place of `queued`.
 */
export async function addIncidentNotice(
  tx: Tx,
  admin: Pick<AdminSnapshot, 'openIncidentsFor'>,
  conversation: ConversationRow,
  queued: MessageRow[],
): Promise<MessageRow[]> {
  if (conversation.channel === 'voice' || conversation.risk) return queued;
  const open = admin.openIncidentsFor([conversation.queueKey]);
  if (open.length === 0) return queued;
  const [contact] = await tx.select({ language: contacts.language }).from(contacts).where(eq(contacts.id, conversation.contactId));
  const notice = open.map((i) => textIn(i.publicMessage, contact?.language)).join('\n\n');
  const incidentIds = open.map((i) => i.id);
  const autoReply = queued.find((m) => m.metadata.system === 'auto-reply');
  if (autoReply) {
    const [carried] = await tx
      .update(messages)
      .set({ body: `${notice}\n\n${autoReply.body}`, metadata: { ...autoReply.metadata, incidentIds } })
      .where(eq(messages.id, autoReply.id))
      .returning();
    return queued.map((m) => (m.id === carried.id ? carried : m));
  }
  const own = await queueSystemMessage(tx, conversation, { body: notice, kind: 'incident', metadata: { incidentIds } });
  return own ? [...queued, own] : queued;
}
