import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { contacts, type ConversationRow, type MessageRow } from '../../db/schema.js';
import { queueSystemMessage } from '../conversations/send-system-message.js';
import { openIncidentsFor, textIn } from './open-incidents.js';

/**
 * The auto-reply while an incident is open: a new SMS, email or Slack conversation in a queue the
 * incident concerns is told its public message at once (in the contact's language), so the
 * contact knows before an agent answers. Inside the ingest transaction; null when nothing applies.
 * A risk-flagged conversation gets the crisis resources instead: nothing else is sent to it.
 */
export async function queueIncidentNotice(tx: Tx, conversation: ConversationRow): Promise<MessageRow | null> {
  if (conversation.channel === 'voice' || conversation.risk) return null;
  const open = await openIncidentsFor(tx, [conversation.queueKey]);
  if (open.length === 0) return null;
  const [contact] = await tx.select({ language: contacts.language }).from(contacts).where(eq(contacts.id, conversation.contactId));
  const body = open.map((i) => textIn(i.publicMessage, contact?.language)).join('\n\n');
  return queueSystemMessage(tx, conversation, { body, kind: 'incident', metadata: { incidentIds: open.map((i) => i.id) } });
}
