import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { conversationAddress } from '../../db/queries/contacts.js';
import { getQueue } from '../../db/queries/queues.js';
import { contacts, csatSurveys, type ConversationRow, type MessageRow } from '../../db/schema.js';
import { contactText } from '../contact-texts.js';
import { queueSystemMessage } from '../conversations/send-system-message.js';
import { SURVEY_TTL_SECONDS, surveyRefusal } from './survey-policy.js';

/** The survey question's text per channel (the email's link and Slack's buttons are the senders' part). */
const ASK = { sms: 'csat.ask.sms', email: 'csat.ask.email', slack: 'csat.ask.slack' } as const;

/**
 * Asks the contact of a just-resolved text conversation for a score, inside the resolve
 * transaction: the survey row (one per conversation: its key says "never twice") and the
 * question, stored as a `csat` system message, exist exactly when the resolution does. The
 * message goes out through the send job like any reply (`dispatchSystemMessage` after commit;
 * the reconciler if that is lost), so a retried send never asks twice either. Returns the
 * message, or null when no survey is due (survey-policy.ts) or nobody can be asked (an
 * opted-out number, no address).
 */
export async function queueSurveyInTx(tx: Tx, conversation: ConversationRow): Promise<MessageRow | null> {
  if (conversation.channel === 'voice') return null;
  if (surveyRefusal(conversation, await getQueue(tx, conversation.queueKey))) return null;
  const address = await conversationAddress(tx, conversation);
  const expiresAt = new Date(Date.now() + SURVEY_TTL_SECONDS[conversation.channel] * 1000);
  const [survey] = await tx
    .insert(csatSurveys)
    .values({
      conversationId: conversation.id,
      channel: conversation.channel,
      contactIdentityId: address?.id ?? null,
      agentId: conversation.assigneeId,
      expiresAt,
    })
    .onConflictDoNothing()
    .returning();
  if (!survey) return null;
  const [contact] = await tx.select({ language: contacts.language }).from(contacts).where(eq(contacts.id, conversation.contactId));
  const message = await queueSystemMessage(tx, conversation, {
    kind: 'csat',
    body: contactText(ASK[conversation.channel], contact?.language, { number: conversation.number }),
    metadata: { csat: { expiresAt: expiresAt.toISOString() } },
  });
  // Nobody to ask: no survey either, so reports count only surveys that went out.
  if (!message) await tx.delete(csatSurveys).where(eq(csatSurveys.conversationId, conversation.id));
  return message;
}
