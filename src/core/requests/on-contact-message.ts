import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { getQueue } from '../../db/queries/queues.js';
import { contacts, conversations, type ConversationRow, type MessageRow, type QueueRow } from '../../db/schema.js';
import { publishConversationChange } from '../conversations/publish.js';
import { dispatchSystemMessage, queueSystemMessage } from '../conversations/send-system-message.js';
import type { Deps } from '../ports.js';
import { autoReplyFor } from './auto-reply.js';
import { returnToAssignee } from './return-to-assignee.js';
import { armSlaTimers, nextResponseClock, openingClocks } from './sla.js';

export type ContactMessage = {
  conversation: ConversationRow;
  message: MessageRow;
  /** This message opened the conversation. */
  opened: boolean;
  /** STOP/START/HELP keywords and the other side's auto-replies: they never count as the contact answering. */
  control?: string;
  /** The conversation's queue when the caller has just read it (saves reading it again); `null`: no such queue. */
  queue?: QueueRow | null;
};

/** What the request lifecycle did with a contact's message; `afterContactMessage` carries it out after commit. */
export type ContactMessageEffects = {
  /** The conversation as it is now. */
  conversation: ConversationRow;
  /** It changed status (came back from pending or snoozed). */
  changed: boolean;
  /** It went back to its queue (its agent is gone): the router must run. */
  rerouted: boolean;
  /** Automatic messages queued in the same transaction (auto-reply). */
  systemMessages: MessageRow[];
  /** SLA warning and due times that started: the timers wake then. */
  wakeAt: (Date | null)[];
};

/**
 * The request lifecycle's part of ingesting a contact's message, inside the ingest transaction:
 * a new conversation starts its SLA clocks and gets its queue's auto-reply; a later message starts
 * the next-response clock, and a pending or snoozed conversation comes back to its agent (or queue).
 */
export async function onContactMessage(tx: Tx, m: ContactMessage): Promise<ContactMessageEffects> {
  const effects: ContactMessageEffects = { conversation: m.conversation, changed: false, rerouted: false, systemMessages: [], wakeAt: [] };
  if (m.control) return effects;
  const queue = m.queue !== undefined ? (m.queue ?? undefined) : await getQueue(tx, m.conversation.queueKey);
  const now = new Date();
  if (m.opened) {
    const clocks = openingClocks(queue, m.conversation.createdAt);
    if (Object.keys(clocks).length) {
      const [row] = await tx.update(conversations).set(clocks).where(eq(conversations.id, m.conversation.id)).returning();
      effects.conversation = row;
      effects.wakeAt.push(...Object.values(clocks));
    }
    // The contact's language only matters when there is an auto-reply to word.
    if (queue?.autoReply && m.conversation.channel !== 'voice') {
      const [contact] = await tx.select({ language: contacts.language }).from(contacts).where(eq(contacts.id, m.conversation.contactId));
      const text = autoReplyFor(queue, m.conversation, contact?.language, now);
      const sent = text ? await queueSystemMessage(tx, effects.conversation, { kind: 'auto-reply', body: text }) : null;
      if (sent) effects.systemMessages.push(sent);
    }
    return effects;
  }
  if (m.conversation.status === 'pending' || m.conversation.status === 'snoozed') {
    const back = await returnToAssignee(tx, m.conversation);
    if (back) Object.assign(effects, { conversation: back.conversation, changed: true, rerouted: back.rerouted });
  }
  const next = nextResponseClock(queue?.sla ?? null, queue?.businessHours ?? null, effects.conversation, now);
  if (Object.keys(next).length) {
    const [row] = await tx.update(conversations).set(next).where(eq(conversations.id, m.conversation.id)).returning();
    effects.conversation = row;
    effects.wakeAt.push(...Object.values(next));
  }
  return effects;
}

/** After the ingest commit: push the change, route what went back to its queue, send what was queued, arm the SLA timers. */
export async function afterContactMessage(deps: Deps, effects: ContactMessageEffects): Promise<void> {
  if (effects.changed) publishConversationChange(deps, effects.conversation);
  if (effects.rerouted) await deps.jobs.dispatch('returned to queue');
  for (const m of effects.systemMessages) await dispatchSystemMessage(deps, effects.conversation, m);
  await armSlaTimers(deps, effects.wakeAt);
}
